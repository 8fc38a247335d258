using System.Net;
using Dedao.Comment.Data;
using Dedao.Contracts;

namespace Dedao.Comment.Access;

/// <summary>
/// What column and course say of an article or a lesson: the product it belongs to and whether it is open to all.
/// Asked only when a comment is written, never on a read.
/// </summary>
public sealed class CommentTargets(HttpClient http)
{
    /// <summary>Null when the article or lesson does not exist.</summary>
    public async Task<Target?> FindAsync(CommentTarget type, long id, CancellationToken cancellationToken)
    {
        var (productType, uri) = type == CommentTarget.Article
            ? (ProductType.Column, $"http://column/internal/articles/{id}")
            : (ProductType.Course, $"http://course/internal/lessons/{id}");
        using var response = await http.GetAsync(new Uri(uri), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var reply = await response.Content.ReadFromJsonAsync<Reply>(cancellationToken)
            ?? throw new HttpRequestException($"{uri} answered no body.");
        return new Target(productType, reply.ColumnId ?? reply.CourseId ?? 0, reply.Open);
    }

    private sealed record Reply(long? ColumnId, long? CourseId, bool Open);
}

/// <param name="Open">Anyone may read it: a trial, or part of a free product.</param>
public sealed record Target(ProductType ProductType, long ProductId, bool Open);
