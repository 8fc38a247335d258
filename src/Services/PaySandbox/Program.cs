using Dedao.PaySandbox;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddHttpClient();
builder.Services.AddSingleton<SandboxDatabase>();
builder.Services.AddSingleton<NoticeSender>();
builder.Services.AddSingleton<Charges>();
builder.Services.AddSingleton<Refunds>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<NoticeSender>());

var app = builder.Build();

app.MapDefaultEndpoints();

// The customer paid (or gave up) at the provider: the merchant hears of it by notice, never from this answer.
// SendNotice false: the notice is lost on its way, and the merchant learns of the charge only by asking for it.
app.MapPost("/charges/{paymentId:long}/confirm", (long paymentId, ConfirmRequest request, Charges charges, NoticeSender sender) =>
{
    if (request.AmountFen <= 0 || request.Result is not ("success" or "fail"))
    {
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "amountFen and result (success or fail) are required.",
            extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });
    }

    if (charges.Record(paymentId, request.AmountFen, request.Result, request.SendNotice) is (_, { } notice))
    {
        sender.Enqueue(notice);
    }

    return Results.Accepted();
});

// The provider's record of a payment, which a merchant reconciles with when a notice is late or lost.
app.MapGet("/charges/{paymentId:long}", (long paymentId, Charges charges) =>
    charges.Find(paymentId) is { } charge ? Results.Ok(charge) : Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "The customer has not paid or declined this payment.", extensions: new Dictionary<string, object?> { ["code"] = "not_found" }));

// The merchant gives a payment's money back, as after an order that was cancelled before its payment got through.
app.MapPost("/charges/{paymentId:long}/refund", (long paymentId, RefundRequest request, Refunds refunds, ILogger<Refunds> logger) =>
{
    if (request.AmountFen <= 0)
    {
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A positive amountFen is required.",
            extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });
    }

    if (refunds.Make(paymentId, request.AmountFen) is not { } refund)
    {
        return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The payment was refunded before for another amount.",
            extensions: new Dictionary<string, object?> { ["code"] = "refund_conflict" });
    }

    logger.LogInformation("Refund {RefundId} of {AmountFen} fen for payment {PaymentId}", refund.RefundId, refund.AmountFen, paymentId);
    return Results.Ok(refund);
});

// The provider's record of a payment's refund, as its merchant console would show it.
app.MapGet("/charges/{paymentId:long}/refund", (long paymentId, Refunds refunds) =>
    refunds.Find(paymentId) is { } refund ? Results.Ok(refund) : Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "The payment has no refund.", extensions: new Dictionary<string, object?> { ["code"] = "not_found" }));

app.Run();
