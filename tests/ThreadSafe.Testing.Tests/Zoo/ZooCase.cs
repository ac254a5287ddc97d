namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>One entry of the bug zoo: a specification built for the broken or the correct twin, and an optional fixed scenario.</summary>
public interface IZooCase
{
    string Name { get; }

    void CheckStress(bool broken, LinearizabilityOptions options);

    void CheckSystematic(bool broken, LinearizabilityOptions options);
}

public sealed class ZooCase<TSut, TModel>(string name, Func<bool, LinearizabilitySpec<TSut, TModel>> spec, Scenario? scenario = null) : IZooCase
{
    public string Name { get; } = name;

    public LinearizabilitySpec<TSut, TModel> Spec(bool broken) => spec(broken);

    public void CheckStress(bool broken, LinearizabilityOptions options)
    {
        if (scenario is null)
        {
            spec(broken).Check(options);
        }
        else
        {
            spec(broken).CheckScenario(scenario, options);
        }
    }

    public void CheckSystematic(bool broken, LinearizabilityOptions options)
    {
        if (scenario is null)
        {
            spec(broken).CheckSystematic(options);
        }
        else
        {
            spec(broken).CheckScenarioSystematic(scenario, options);
        }
    }
}
