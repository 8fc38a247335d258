// One platform for the whole project; its classes share it one after the other, so one test's load never
// starves another's deadline on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
