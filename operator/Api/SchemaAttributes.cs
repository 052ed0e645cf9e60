namespace ModelOperator.Operator.Api;

// Validation and defaults live on the API types; CrdGenerator turns them into the OpenAPI v3 schema.

/// <summary>The property must be present (OpenAPI <c>required</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredFieldAttribute : Attribute;

/// <summary>Human description of a field or type, copied into the CRD schema.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
public sealed class DescriptionAttribute(string text) : Attribute
{
    /// <summary>The description text.</summary>
    public string Text { get; } = text;
}

/// <summary>The allowed values of a string field.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EnumValuesAttribute(params string[] values) : Attribute
{
    /// <summary>The allowed values.</summary>
    public IReadOnlyList<string> Values { get; } = values;
}

/// <summary>Inclusive lower bound of a number (or of the items of a number list).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(double value) : Attribute
{
    /// <summary>The bound.</summary>
    public double Value { get; } = value;
}

/// <summary>Inclusive upper bound of a number (or of the items of a number list).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaximumAttribute(double value) : Attribute
{
    /// <summary>The bound.</summary>
    public double Value { get; } = value;
}

/// <summary>A regular expression a string must match.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string regex) : Attribute
{
    /// <summary>The ECMA regular expression.</summary>
    public string Regex { get; } = regex;
}

/// <summary>The value the API server fills in when the field is absent.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultValueAttribute(object value) : Attribute
{
    /// <summary>The default.</summary>
    public object Value { get; } = value;
}

/// <summary>Lower bound on the number of items of a list.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinItemsAttribute(int value) : Attribute
{
    /// <summary>The bound.</summary>
    public int Value { get; } = value;
}

/// <summary>Upper bound on the number of items of a list (lets the API server bound the cost of CEL rules over it).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxItemsAttribute(int value) : Attribute
{
    /// <summary>The bound.</summary>
    public int Value { get; } = value;
}

/// <summary>A Kubernetes core type embedded as is; the schema keeps its fields without describing them.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EmbeddedKubernetesTypeAttribute : Attribute;

/// <summary>A CEL rule spanning several fields (<c>x-kubernetes-validations</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    /// <summary>The CEL expression, evaluated with <c>self</c> bound to the object.</summary>
    public string Rule { get; } = rule;

    /// <summary>The message the API server returns when the rule fails.</summary>
    public string Message { get; } = message;

    /// <summary>The field the failure is reported on, relative to the object (e.g. <c>.uri</c>); the object itself when null.</summary>
    public string? FieldPath { get; init; }
}
