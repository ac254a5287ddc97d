using System.Reflection;
using System.Runtime.CompilerServices;

namespace ThreadSafe.Tests.House;

/// <summary>
/// The field-prefix rules that IDE1006 cannot tell apart (.editorconfig): a mutable static field is <c>s_</c>,
/// a <see cref="ThreadStaticAttribute"/> one <c>t_</c>. Checked on the compiled packages and on this assembly.
/// </summary>
public sealed class NamingTests
{
    public static TheoryData<string> Assemblies => new() { "ThreadSafe", "ThreadSafe.Testing", "ThreadSafe.Tests" };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void MutableStaticFields_AreS_Prefixed_AndThreadStaticOnes_T_Prefixed(string assemblyName)
    {
        Assembly assembly = Assembly.Load(assemblyName);
        const BindingFlags Declared = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var wrong = new List<string>();
        int mutable = 0;
        foreach (Type type in assembly.GetTypes().Where(t => !t.IsDefined(typeof(CompilerGeneratedAttribute), false)))
        {
            foreach (FieldInfo field in type.GetFields(Declared))
            {
                bool generated = field.Name.Contains('<', StringComparison.Ordinal) || field.IsDefined(typeof(CompilerGeneratedAttribute), false);
                if (generated || field.IsLiteral || field.IsInitOnly || field.IsPublic)
                {
                    continue;
                }

                mutable++;
                string expected = field.IsDefined(typeof(ThreadStaticAttribute), false) ? "t_" : "s_";
                if (!field.Name.StartsWith(expected, StringComparison.Ordinal))
                {
                    wrong.Add($"{type.FullName}.{field.Name} (expected the prefix {expected})");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"{assemblyName}: {string.Join("; ", wrong)}");
        if (assemblyName == "ThreadSafe")
        {
            Assert.True(mutable > 0, "No mutable static field found in ThreadSafe, which has [ThreadStatic] ones: the check is not looking.");
        }
    }
}
