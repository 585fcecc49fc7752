package io.salesos.daemon.engine;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.config.SalesosConfig;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.runtime.Connections;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.sync.Puller;
import io.salesos.sync.SyncEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A daemon for the kill test: opens the engine from a configuration file the way {@code salesos
 * sync} does, then loops pull and drain in small slices (a few pages per object, a few batches of
 * writes) so that a kill lands in either, and says on stdout when it is ready and when it is idle.
 */
public final class EngineLoop {

  private EngineLoop() {}

  public static void main(String[] args) {
    var config = SalesosConfig.load(Path.of(args[0]));
    var database = SalesosRuntime.openDatabase(config, System::getenv);
    var connections = config.connections().stream().map(c -> Connections.open(c, System::getenv, Clock.systemUTC())).toList();
    var engine = new Pipeline(database, connections, LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 4, 20, Duration.ofMillis(200), 300), Clock.systemUTC());
    System.out.println("engine-loop ready pid=" + ProcessHandle.current().pid());
    for (int cycle = 1; ; cycle++) {
      var pulls = engine.pull(Optional.empty());
      int pulled = pulls.stream().mapToInt(Puller.PullStats::changed).sum();
      boolean errors = pulls.stream().anyMatch(s -> s.error().isPresent());
      var push = engine.push();
      long depth = engine.outbox().depth();
      boolean idle = pulled == 0 && push.written() == 0 && depth == 0 && !errors;
      System.out.println("engine-loop cycle=" + cycle + " pulled=" + pulled + " written=" + push.written() + " failed="
          + push.failed() + " dead=" + push.dead() + " depth=" + depth + " errors=" + errors + (idle ? " idle" : ""));
      if (idle) {
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
