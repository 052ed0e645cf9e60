using Xunit;

namespace ModelOperator.TestSupport;

/// <summary>A test that needs podman: skipped, saying why, where it cannot run, except under CI=true (there it fails).</summary>
public sealed class ContainerEngineFactAttribute : FactAttribute
{
    public ContainerEngineFactAttribute()
    {
        if (!ContainerEngine.InCi && ContainerEngine.WhyNot is { } why) Skip = $"{why}; under CI=true this fails instead";
    }
}

/// <summary>A theory that needs podman; see <see cref="ContainerEngineFactAttribute"/>.</summary>
public sealed class ContainerEngineTheoryAttribute : TheoryAttribute
{
    public ContainerEngineTheoryAttribute()
    {
        if (!ContainerEngine.InCi && ContainerEngine.WhyNot is { } why) Skip = $"{why}; under CI=true this fails instead";
    }
}
