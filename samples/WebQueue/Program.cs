// A minimal ASP.NET Core app whose endpoint enqueues work into a hosted WorkQueue:
//   dotnet run --project samples/WebQueue
//   curl -X POST http://localhost:5000/jobs/1   (202 Accepted, or 503 when full or stopping)
//   curl http://localhost:5000/health           (the queue's length against its capacity)
// Ctrl+C stops accepting, drains, and persists every job not processed in time (WebQueue:UnprocessedFile).
await WebQueue.WebQueueApp.Build(args).RunAsync();
