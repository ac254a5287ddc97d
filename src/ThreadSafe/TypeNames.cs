using System.Text;

namespace ThreadSafe;

/// <summary>Formats types as C# spells them (<c>SingleWriter&lt;List&lt;string&gt;&gt;</c>), for messages a person reads.</summary>
internal static class TypeNames
{
    /// <summary>The C# name of <paramref name="type"/>: generic arguments in angle brackets, keywords for built-in types.</summary>
    public static string Format(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var text = new StringBuilder();
        Append(text, type);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Type type)
    {
        if (type.IsArray)
        {
            Append(text, type.GetElementType()!);
            text.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Append(text, underlying);
            text.Append('?');
            return;
        }

        if (Keyword(type) is { } keyword)
        {
            text.Append(keyword);
            return;
        }

        if (!type.IsGenericType)
        {
            text.Append(type.Name);
            return;
        }

        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        text.Append(tick < 0 ? name : name[..tick]).Append('<');
        Type[] arguments = type.GetGenericArguments();
        for (int i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            Append(text, arguments[i]);
        }

        text.Append('>');
    }

    private static string? Keyword(Type type) =>
        Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "bool",
            TypeCode.Byte => "byte",
            TypeCode.SByte => "sbyte",
            TypeCode.Char => "char",
            TypeCode.Int16 => "short",
            TypeCode.UInt16 => "ushort",
            TypeCode.Int32 => "int",
            TypeCode.UInt32 => "uint",
            TypeCode.Int64 => "long",
            TypeCode.UInt64 => "ulong",
            TypeCode.Single => "float",
            TypeCode.Double => "double",
            TypeCode.Decimal => "decimal",
            TypeCode.String => "string",
            _ => type == typeof(object) ? "object" : null,
        };
}
