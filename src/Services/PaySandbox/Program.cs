using Dedao.PaySandbox;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddHttpClient();
builder.Services.AddSingleton<NoticeSender>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<NoticeSender>());

var app = builder.Build();

app.MapDefaultEndpoints();

// The customer paid (or gave up) at the provider: the merchant hears of it by notice, never from this answer.
app.MapPost("/charges/{paymentId:long}/confirm", (long paymentId, ConfirmRequest request, NoticeSender sender) =>
{
    if (request.AmountFen <= 0 || request.Result is not ("success" or "fail"))
    {
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "amountFen and result (success or fail) are required.",
            extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });
    }

    sender.Enqueue(new Notice(paymentId, request.AmountFen, request.Result, $"sbx_{Guid.CreateVersion7():N}"));
    return Results.Accepted();
});

app.Run();
