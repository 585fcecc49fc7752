package io.salesos.cli;

import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** One pull of every mapped object and one drain of the outbox, then exit. */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = "Pull every mapped CRM object into the mirror and push the outbox once.")
final class SyncCommand implements java.util.concurrent.Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--once", description = "run one cycle and exit (the default; `salesos run` keeps going)")
  boolean once = true;

  @Option(names = "--connection", description = "only this connection")
  String connection;

  @Option(names = "--object", paramLabel = "CRM_OBJECT",
      description = "pull only this CRM object (as the mapping names it: Opportunity, deals...), in every connection that maps it"
          + " (or in --connection)")
  String object;

  @Option(names = "--full", description = "with --object: read every record of it again, from the start (records deleted in"
      + " the CRM meanwhile are found by `salesos reconcile`)")
  boolean full;

  @Option(names = "--pause", paramLabel = "CONNECTION",
      description = "pause a connection: no pull, evaluation or push for it (in every daemon on this database) until"
          + " --resume; its queued writes wait")
  String pause;

  @Option(names = "--resume", paramLabel = "CONNECTION", description = "resume a paused connection")
  String resume;

  @Option(names = "--reason", description = "with --pause: why (shown with the pause)")
  String reason;

  @Mixin
  Deadline.Option deadline;

  @Override
  public Integer call() throws Exception {
    if (pause != null || resume != null) {
      return pauseOrResume();
    }
    return deadline.within("sync", this::once);
  }

  private int pauseOrResume() {
    var cfg = config.load();
    var name = pause != null ? pause : resume;
    if (cfg.connections().stream().noneMatch(c -> c.name().equals(name))) {
      throw new IllegalArgumentException("no connection named '" + name + "' in " + cfg.file());
    }
    try (var db = SalesosRuntime.openDatabase(cfg, System::getenv)) {
      var pauses = new io.salesos.sync.Pauses(db, Clock.systemUTC());
      if (pause != null) {
        boolean now = pauses.pause(name, System.getProperty("user.name", "admin"), Optional.ofNullable(reason));
        System.out.println(name + (now ? " paused: " : " was already ") + pauses.of(name).orElseThrow().describe()
            + "; nothing is pulled, evaluated or pushed for it until `salesos sync --resume " + name + "`");
      } else {
        System.out.println(pauses.resume(name) ? name + " resumed: the next cycle pulls, evaluates and pushes it"
            : name + " was not paused");
      }
      return 0;
    }
  }

  private Integer once() {
    if (full && object == null) {
      throw new IllegalArgumentException("--full re-reads one object: give it with --object NAME");
    }
    try (var runtime = SalesosRuntime.open(config.load(), Map.of(), System::getenv, Clock.systemUTC())) {
      var stats = object == null ? runtime.pipeline().pull(Optional.ofNullable(connection)) : pullObject(runtime);
      int errors = 0;
      for (var s : stats) {
        System.out.printf("pull %-12s %-26s +%d ~%d -%d quarantined %d%s%n", s.source(), s.crmObject(), s.inserted(),
            s.updated(), s.deleted(), s.quarantined(), s.error().map(e -> "  ERROR " + e).orElse(""));
        errors += s.error().isPresent() ? 1 : 0;
      }
      var push = runtime.pipeline().push();
      System.out.printf("push written %d, failed %d (queued for retry), dead %d, conflicts %d, held %d, blocked %d%n",
          push.written(), push.failed(), push.dead(), push.conflicts(), push.held(), push.blocked());
      if (runtime.pipeline().rules().current().isEmpty()) {
        System.out.println("nothing was pushed: the rule files in " + runtime.config().rulesDir() + " do not load, so no"
            + " allow-list is in force (salesos rules check)");
      }
      return errors == 0 ? 0 : 2;
    }
  }

  /** The --object pull: every selected connection that maps it; a full one starts its checkpoint over first. */
  private java.util.List<io.salesos.sync.Puller.PullStats> pullObject(SalesosRuntime runtime) {
    var pipeline = runtime.pipeline();
    var targets = pipeline.connections().stream()
        .filter(c -> connection == null || c.name().equals(connection))
        .filter(c -> c.mapping().forCrmObject(object).isPresent()).toList();
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no " + (connection == null ? "connection" : "connection named '" + connection + "'")
          + " maps a CRM object named '" + object + "'");
    }
    var out = new java.util.ArrayList<io.salesos.sync.Puller.PullStats>();
    for (var c : targets) {
      var crmObject = c.mapping().forCrmObject(object).orElseThrow().crmObject();
      if (full) {
        pipeline.mirror().resetCheckpoint(c.name(), crmObject);
        System.out.println("full re-sync of " + c.name() + "/" + crmObject + ": reading every record again");
      }
      out.add(pipeline.pull(c.name(), crmObject));
    }
    return out;
  }
}
