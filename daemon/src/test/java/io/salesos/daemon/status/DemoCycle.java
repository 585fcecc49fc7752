package io.salesos.daemon.status;

import io.salesos.admin.AdminServer;
import io.salesos.admin.Metrics;
import io.salesos.admin.StatusPage;
import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.mirror.Database;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.demo.SandboxProvider;
import io.salesos.connection.CrmConnection;
import io.salesos.testing.SandboxConfig;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's cycle, once per test JVM: both sandbox CRMs seeded with the small demo org, a fresh
 * embedded database, pull, rules per connection, push, pull again (the echo), then the admin
 * server on a free loopback port with the status page at {@code /}.
 */
final class DemoCycle {

  private static DemoCycle instance;

  final SalesosRuntime runtime;
  final AdminServer admin;
  final Map<String, SandboxProvider.Sandbox> sandboxes;

  private DemoCycle(SalesosRuntime runtime, AdminServer admin, Map<String, SandboxProvider.Sandbox> sandboxes) {
    this.runtime = runtime;
    this.admin = admin;
    this.sandboxes = sandboxes;
  }

  static synchronized DemoCycle get() {
    if (instance == null) {
      instance = start();
      var started = instance;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
    }
    return instance;
  }

  Database database() {
    return runtime.database();
  }

  String url(String path) {
    return admin.address() + path;
  }

  private static DemoCycle start() {
    var clock = Clock.systemUTC();
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(clock.instant()));
    var config = SalesosConfig.load(writeConfig(TestDatabases.newSchema()));
    var sandboxes = new LinkedHashMap<String, SandboxProvider.Sandbox>();
    var settings = new LinkedHashMap<String, Map<String, String>>();
    for (var c : config.connections()) {
      try {
        sandboxes.put(c.name(), SandboxProvider.of(c.type()).orElseThrow().start(0, org));
        settings.put(c.name(), sandboxes.get(c.name()).connectionSettings());
      } catch (Exception e) {
        throw new IllegalStateException("could not start the " + c.type() + " sandbox: " + e.getMessage(), e);
      }
    }
    var runtime = SalesosRuntime.open(config, settings, System::getenv, clock);
    var pipeline = runtime.pipeline();
    pipeline.pull(Optional.empty());
    pipeline.evaluate(Optional.empty());
    pipeline.push();
    pipeline.pull(Optional.empty());
    var admin = AdminServer.start(runtime.database(), new Metrics(runtime.database(), runtime.connections()), "127.0.0.1", 0);
    StatusPage.register(admin, runtime.database(), runtime.connections().stream().map(CrmConnection::name).toList(),
        clock, pipeline.rules()::current);
    return new DemoCycle(runtime, admin, sandboxes);
  }

  /** The demo configuration, pointed at a fresh schema of the test MariaDB and at the repository's mappings and rules. */
  private static Path writeConfig(String schema) {
    try {
      // a folder of its own per run: the classes that share this fixture may run in two test JVMs at once
      return SandboxConfig.on(schema).salesforceInProcess().hubspotInProcess()
          .writeInto(Files.createTempDirectory(Files.createDirectories(Path.of("target", "status-test")), "config"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void close() {
    admin.close();
    runtime.close();
    sandboxes.values().forEach(SandboxProvider.Sandbox::close);
  }
}
