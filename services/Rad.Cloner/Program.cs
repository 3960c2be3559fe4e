using Rad.Cloner;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddCloner();

var app = builder.Build();
app.MapRadHealth();
app.Run();
