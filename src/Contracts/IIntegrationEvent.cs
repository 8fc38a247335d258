namespace Dedao.Contracts;

/// <summary>
/// An event on the bus (<c>events.md</c>). The name is its routing key and its <c>type</c> property; renaming or removing
/// a field makes a new event (<c>order.paid.v2</c>), never a change to this one.
/// </summary>
public interface IIntegrationEvent
{
    static abstract string EventName { get; }
}
