global using Dedao.AppHost;
global using Dedao.Hosting;
global using Microsoft.Extensions.Configuration;
