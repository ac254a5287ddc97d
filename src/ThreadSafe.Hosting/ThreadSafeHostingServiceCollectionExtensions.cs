using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ThreadSafe.Hosting;

/// <summary>Registers ThreadSafe's <see cref="WorkQueue{T}"/> and <see cref="SingleWriter{TResource}"/> as services run by the host.</summary>
public static class ThreadSafeHostingServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="WorkQueue{T}"/> whose items are handled by <typeparamref name="THandler"/>, resolved from
    /// dependency injection in a new scope for every item. The queue is a singleton: inject <see cref="WorkQueue{T}"/>
    /// to add items and <see cref="HostedWorkQueue{T}"/> for its health. It runs as a hosted service: on shutdown it
    /// stops accepting, drains within the host's shutdown timeout, then aborts and hands every item not handled to
    /// <see cref="HostedWorkQueueOptions{T}.UnprocessedItemsSink"/>.
    /// </summary>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <typeparam name="THandler">The handler; registered as scoped unless a registration of it already exists.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (capacity, consumers, sink, timeouts); <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A work queue of <typeparamref name="T"/> is already registered.</exception>
    public static IServiceCollection AddWorkQueue<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this IServiceCollection services, Action<HostedWorkQueueOptions<T>>? configure = null)
        where THandler : class, IWorkItemHandler<T>
    {
        ArgumentNullException.ThrowIfNull(services);
        HostedWorkQueueOptions<T> options = PrepareWorkQueue(services, configure);
        services.TryAddScoped<THandler>();
        services.AddSingleton(sp => new HostedWorkQueue<T>(
            options,
            static scoped => scoped.GetRequiredService<THandler>(),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<ILogger<HostedWorkQueue<T>>>()));
        AddQueueAndHostedService<T>(services);
        return services;
    }

    // One queue per item type; the options as configured.
    private static HostedWorkQueueOptions<T> PrepareWorkQueue<T>(IServiceCollection services, Action<HostedWorkQueueOptions<T>>? configure)
    {
        if (services.Any(d => d.ServiceType == typeof(HostedWorkQueue<T>)))
        {
            throw new InvalidOperationException(
                $"A work queue of {typeof(T).Name} is already registered; there is one queue per item type. Wrap the items in a distinct type for a second queue.");
        }

        var options = new HostedWorkQueueOptions<T>();
        configure?.Invoke(options);
        return options;
    }

    // The queue itself, to inject where items are produced, and the hosted service that stops it.
    private static void AddQueueAndHostedService<T>(IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<HostedWorkQueue<T>>().Queue);
        services.AddHostedService(sp => sp.GetRequiredService<HostedWorkQueue<T>>());
    }

    /// <summary>
    /// Registers a <see cref="WorkQueue{T}"/> with a batch handler: <typeparamref name="THandler"/> is resolved from
    /// dependency injection in a new scope for every batch of up to <see cref="WorkQueueBatchOptions.MaxBatchSize"/>
    /// items, gathered under <see cref="WorkQueueBatchOptions.MaxBatchDelay"/>. Everything else is as
    /// <see cref="AddWorkQueue{T, THandler}"/>: a singleton queue, run as a hosted service that drains on shutdown, then
    /// aborts and hands every item not handled (a whole batch whose handler stopped or was abandoned included) to
    /// <see cref="HostedWorkQueueOptions{T}.UnprocessedItemsSink"/>. A failing batch is logged once per item.
    /// </summary>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <typeparam name="THandler">The batch handler; registered as scoped unless a registration of it already exists.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="batching">The most items per batch and the longest the oldest item may wait for others to join it.</param>
    /// <param name="configure">Sets the options (capacity, consumers, sink, timeouts); <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="batching"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A work queue of <typeparamref name="T"/> is already registered.</exception>
    public static IServiceCollection AddBatchWorkQueue<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        this IServiceCollection services,
        WorkQueueBatchOptions batching,
        Action<HostedWorkQueueOptions<T>>? configure = null)
        where THandler : class, IWorkBatchHandler<T>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(batching);
        HostedWorkQueueOptions<T> options = PrepareWorkQueue(services, configure);
        services.TryAddScoped<THandler>();
        services.AddSingleton(sp => new HostedWorkQueue<T>(
            options,
            batching,
            static scoped => scoped.GetRequiredService<THandler>(),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<ILogger<HostedWorkQueue<T>>>()));
        AddQueueAndHostedService<T>(services);
        return services;
    }

    /// <summary>
    /// Registers a <see cref="SingleWriter{TResource}"/> as a singleton whose resource is created by
    /// <paramref name="open"/> on the writer thread, and a hosted service that completes it when the host stops: it
    /// accepts no more writes and runs those it accepted, within the host's shutdown timeout.
    /// </summary>
    /// <typeparam name="TResource">The type of the resource (a database connection, a file).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="open">Creates the resource, on the writer thread, with the root service provider.</param>
    /// <param name="options">The writer's options; <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="open"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A single writer of <typeparamref name="TResource"/> is already registered.</exception>
    /// <remarks>
    /// A single writer has no abort and its queued writes are functions whose callers await them, not data: if the
    /// host's shutdown timeout passes first, the callers stay unacknowledged, the writer keeps running their writes
    /// until the process exits (<see cref="SingleWriterOptions{TResource}.ProcessExitTimeout"/>), and the timeout is
    /// logged as an error.
    /// </remarks>
    public static IServiceCollection AddSingleWriter<TResource>(
        this IServiceCollection services,
        Func<IServiceProvider, TResource> open,
        SingleWriterOptions<TResource>? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(open);
        if (services.Any(d => d.ServiceType == typeof(SingleWriter<TResource>)))
        {
            throw new InvalidOperationException($"A single writer of {typeof(TResource).Name} is already registered.");
        }

        services.AddSingleton(sp => new SingleWriter<TResource>(() => open(sp), options));
        services.AddHostedService(sp => new HostedSingleWriter<TResource>(
            sp.GetRequiredService<SingleWriter<TResource>>(),
            sp.GetRequiredService<ILogger<SingleWriter<TResource>>>()));
        return services;
    }
}
