// Each test class here boots the whole platform (the fixture once, the AppHost process tests their own). Two boots at
// once on a 2-core CI machine make both slow enough to miss their deadlines, so classes run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
