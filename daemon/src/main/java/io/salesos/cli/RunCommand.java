package io.salesos.cli;

import io.salesos.admin.AdminServer;
import io.salesos.admin.Metrics;
import io.salesos.admin.StatusPage;
import io.salesos.connection.CrmConnection;
import java.time.Duration;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.schedule.DaemonScheduler;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The daemon: Quartz schedules pull, push, evaluate, plan and the nightly reconcile until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the daemon: keep the mirror in step both ways on a schedule (Ctrl-C or SIGTERM stops it).")
final class RunCommand implements Runnable {

  @Mixin
  ConfigOption config;

  @Override
  public void run() {
    var cfg = config.load();
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, Clock.systemUTC())) {
      var metrics = new Metrics(runtime.database(), runtime.connections());
      runtime.pipeline().rules().watchEvery(Duration.ofSeconds(5));
      try (var admin = AdminServer.start(runtime.database(), metrics, cfg.admin().bind(), cfg.admin().port());
          var scheduler = DaemonScheduler.start(runtime, metrics::jobRan)) {
        StatusPage.register(admin, runtime.database(), runtime.connections().stream().map(CrmConnection::name).toList(),
            cfg.admin().token().map(t -> t.resolve(System::getenv)), Clock.systemUTC(), runtime.pipeline().rules()::current);
        System.out.println("salesos " + Main.version() + " running: " + runtime.database().describe() + ", "
            + runtime.connections().size() + " connection(s), polling every " + cfg.sync().pollSeconds() + " s; admin "
            + admin.address());
        var stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
