using Rad.Contracts;
using Xunit;

namespace Rad.UnitTests;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("127.0.0.1:5000/it/app:abc", "127.0.0.1:5000/it/app")]
    [InlineData("127.0.0.1:5000/it/app@sha256:0123", "127.0.0.1:5000/it/app")]
    [InlineData("127.0.0.1:5000/it/app:abc@sha256:0123", "127.0.0.1:5000/it/app")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000/app")]
    [InlineData("busybox:latest", "busybox")]
    [InlineData("busybox", "busybox")]
    public void The_repository_is_the_reference_without_tag_and_digest(string reference, string repository) =>
        Assert.Equal(repository, ImageReference.RepositoryOf(reference));
}
