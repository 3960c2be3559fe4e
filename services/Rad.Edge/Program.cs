using Rad.Edge;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEdge();

var app = builder.Build();
app.MapRadHealth();
app.MapEdgeRoutes();
app.Run();
