namespace Dedao.Contracts;

// Serialized camelCase on the bus: "column", "sandbox", "lesson".

public enum ProductType
{
    Column,
    Course,
}

public enum PaymentChannel
{
    Coin,
    Sandbox,
}

public enum CommentTargetType
{
    Article,
    Lesson,
}
