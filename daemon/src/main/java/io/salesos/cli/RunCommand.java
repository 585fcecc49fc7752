package io.salesos.cli;

import io.salesos.admin.AdminServer;
import io.salesos.admin.AdminToken;
import io.salesos.admin.Metrics;
import io.salesos.admin.StatusPage;
import io.salesos.config.ConfigDef;
import io.salesos.config.SalesosConfig;
import io.salesos.connection.CrmConnection;
import io.salesos.mirror.Database;
import io.salesos.runtime.Alerts;
import io.salesos.runtime.DatabaseWatch;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.schedule.DaemonScheduler;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The daemon: Quartz schedules pull, push, evaluate, plan and the nightly reconcile until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the daemon: keep the mirror in step both ways on a schedule (Ctrl-C or SIGTERM stops it).")
final class RunCommand implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
  private static final Duration WATCH_EVERY = Duration.ofSeconds(5);
  /** How often the failure alerts look for new incidents. */
  private static final Duration ALERT_EVERY = Duration.ofSeconds(30);
  private static final Duration HALT_AFTER = Duration.ofSeconds(60);

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
    var limit = Duration.ofSeconds(cfg.database().unavailableExitSeconds());
    var stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    var gaveUp = new AtomicReference<String>();
    // the admin server comes first, so /health answers (503, with the reason) while the database opens
    try (var admin = AdminServer.starting(bind, cfg.admin().port(), token)) {
      var database = openDatabase(cfg, limit, admin, stop, System::getenv, Clock.systemUTC());
      if (database.isEmpty()) {
        return; // stopped while waiting for the database
      }
      try (var runtime = SalesosRuntime.open(cfg, database.get(), Map.of(), System::getenv, Clock.systemUTC())) {
        var metrics = new Metrics(runtime.database(), runtime.connections(), runtime.pipeline().latency());
        runtime.pipeline().rules().watchEvery(Duration.ofSeconds(5));
        try (var scheduler = DaemonScheduler.start(runtime, metrics::jobRan);
            var streams = io.salesos.schedule.StreamRunner.start(runtime.pipeline(),
                Duration.ofMillis(cfg.sync().streamIdleMillis()));
            var alerts = Alerts.start(runtime.database(), runtime.pipeline().rules(),
                cfg.alerts().webhookUrl().map(r -> r.resolve(System::getenv)), cfg.alerts().connectionFailingMinutes(),
                ALERT_EVERY, Clock.systemUTC()).orElse(null);
            var watch = DatabaseWatch.start(runtime.database(), WATCH_EVERY, limit, Clock.systemUTC(), reason -> {
              gaveUp.set(reason);
              haltIfStuck(reason);
              stop.countDown();
            })) {
          StatusPage.register(admin, runtime.database(), runtime.connections().stream().map(CrmConnection::name).toList(),
              Clock.systemUTC(), runtime.pipeline().rules()::current, runtime.pipeline().latency());
          admin.serve(runtime.database(), metrics);
          System.out.println("salesos " + Main.version() + " running: " + runtime.database().describe() + ", "
              + runtime.connections().size() + " connection(s), polling every " + cfg.sync().pollSeconds() + " s; admin "
              + admin.address() + (token.configured() ? " (token required)" : " (loopback, actions off)"));
          stop.await();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (gaveUp.get() != null) {
      // a non-zero exit: the supervisor (systemd Restart=on-failure) starts salesos again
      throw new IllegalStateException(gaveUp.get());
    }
  }

  /**
   * Opens the configured database. An external one that cannot be reached (connection refused, timed
   * out: SQL state class 08) is tried again with a growing pause until {@code limit}, /health saying
   * why meanwhile; then, or at any other error, the start fails. Empty when the daemon was stopped
   * while waiting.
   */
  static Optional<Database> openDatabase(SalesosConfig cfg, Duration limit, AdminServer admin, CountDownLatch stop,
      Function<String, String> env, Clock clock) throws InterruptedException {
    if (cfg.database().url().isEmpty()) {
      admin.starting("opening the embedded MariaDB in " + cfg.database().embeddedDataDir().orElseThrow());
      return Optional.of(SalesosRuntime.openDatabase(cfg, env));
    }
    var since = clock.instant();
    long pause = 1_000;
    for (int attempt = 1; ; attempt++) {
      try {
        return Optional.of(SalesosRuntime.openDatabase(cfg, env));
      } catch (RuntimeException e) {
        if (!unreachable(e)) {
          throw e;
        }
        var waited = Duration.between(since, clock.instant());
        var why = Main.message(e);
        if (waited.compareTo(limit) >= 0) {
          throw new IllegalStateException("the database could not be reached for " + waited.toSeconds()
              + " s (database.unavailable_exit_seconds is " + limit.toSeconds() + "): " + why, e);
        }
        log.warn("event=database_unreachable_at_start attempt={} waited_seconds={} give_up_after_seconds={} reason=\"{}\"",
            attempt, waited.toSeconds(), limit.toSeconds(), why);
        admin.starting("database unreachable since " + since + " (attempt " + attempt + ", retrying): " + why);
        if (stop.await(pause, TimeUnit.MILLISECONDS)) {
          return Optional.empty();
        }
        pause = Math.min(pause * 2, 30_000);
      }
    }
  }

  /** Whether {@code e} says the database server could not be reached, as opposed to refusing what was asked. */
  static boolean unreachable(Throwable e) {
    for (var t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
      if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
          || t instanceof java.sql.SQLTransientConnectionException || t instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Closing what the daemon holds may wait on the dead database (a job's connection wait); the
   * supervisor must still see the exit, so the process halts with status 1 if the orderly exit has
   * not happened within a minute. The next start stops an embedded server left behind by its pid file.
   */
  private static void haltIfStuck(String reason) {
    var halt = new Thread(() -> {
      try {
        Thread.sleep(HALT_AFTER.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      log.error("event=database_exit_halting after_seconds={}", HALT_AFTER.toSeconds());
      // the line the orderly exit would have printed, so the supervisor's log says why either way
      System.err.println("salesos: run: " + reason + " (halted: stopping did not finish within " + HALT_AFTER.toSeconds()
          + " s)");
      System.err.flush();
      Runtime.getRuntime().halt(1);
    }, "salesos-exit-halt");
    halt.setDaemon(true);
    halt.start();
  }

  /** The configured admin token, resolved and held to its declaration (at least 32 characters); none when not configured. */
  static AdminToken adminToken(SalesosConfig cfg, Function<String, String> env) {
    return AdminToken.of(cfg.admin().token().map(ref -> ConfigDef.ADMIN_TOKEN.resolveSecret(ref, env)));
  }
}
