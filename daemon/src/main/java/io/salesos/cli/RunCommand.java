package io.salesos.cli;

import io.salesos.admin.AdminServer;
import io.salesos.admin.AdminToken;
import io.salesos.admin.Metrics;
import io.salesos.admin.StatusPage;
import io.salesos.config.ConfigDef;
import io.salesos.config.SalesosConfig;
import io.salesos.connection.CrmConnection;
import java.time.Duration;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.schedule.DaemonScheduler;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The daemon: Quartz schedules pull, push, evaluate, plan and the nightly reconcile until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the daemon: keep the mirror in step both ways on a schedule (Ctrl-C or SIGTERM stops it).")
final class RunCommand implements Runnable {

  @Mixin
  ConfigOption config;

  @Option(names = "--admin-bind", paramLabel = "ADDRESS",
      description = "listen on ADDRESS instead of admin.bind (the container image gives 0.0.0.0); "
          + "any address but loopback needs admin.token")
  String adminBind;

  @Override
  public void run() {
    var cfg = config.load();
    var bind = adminBind != null ? adminBind : cfg.admin().bind();
    // checked before the database opens, so a locked-out start fails at once with the reason
    var token = adminToken(cfg, System::getenv);
    AdminServer.requireTokenOffLoopback(bind, token);
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, Clock.systemUTC())) {
      var metrics = new Metrics(runtime.database(), runtime.connections());
      runtime.pipeline().rules().watchEvery(Duration.ofSeconds(5));
      try (var admin = AdminServer.start(runtime.database(), metrics, bind, cfg.admin().port(), token);
          var scheduler = DaemonScheduler.start(runtime, metrics::jobRan)) {
        StatusPage.register(admin, runtime.database(), runtime.connections().stream().map(CrmConnection::name).toList(),
            Clock.systemUTC(), runtime.pipeline().rules()::current);
        System.out.println("salesos " + Main.version() + " running: " + runtime.database().describe() + ", "
            + runtime.connections().size() + " connection(s), polling every " + cfg.sync().pollSeconds() + " s; admin "
            + admin.address() + (token.configured() ? " (token required)" : " (loopback, actions off)"));
        var stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The configured admin token, resolved and held to its declaration (at least 32 characters); none when not configured. */
  static AdminToken adminToken(SalesosConfig cfg, Function<String, String> env) {
    return AdminToken.of(cfg.admin().token().map(ref -> ConfigDef.ADMIN_TOKEN.resolveSecret(ref, env)));
  }
}
