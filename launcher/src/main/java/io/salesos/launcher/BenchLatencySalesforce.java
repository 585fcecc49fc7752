package io.salesos.launcher;

import io.salesos.cli.Home;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.mirror.EmbeddedMariaDb;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.runtime.Connections;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.schedule.StreamRunner;
import io.salesos.spi.ConnectorContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * {@code bench latency --crm salesforce}: as the HubSpot run of {@link BenchLatencyCommand}, over a
 * Salesforce sandbox seeded with the demo org, the stream being Change Data Capture over the
 * sandbox's Pub/Sub API. Each edit clears or sets an open opportunity's Amount, so that it adds or
 * removes the NO_AMOUNT flag; it is timed from the moment before the edit is saved (the sandbox
 * stamps SystemModstamp in whole seconds) to the sandbox holding salesos's Salesos_Flags__c write.
 */
final class BenchLatencySalesforce {

  private final int changes;
  private final double rate;
  private final int pollSeconds;

  BenchLatencySalesforce(int changes, double rate, int pollSeconds) {
    this.changes = changes;
    this.rate = rate;
    this.pollSeconds = pollSeconds;
  }

  BenchLatencyCommand.Run run(boolean streaming) throws Exception {
    var now = Instant.now();
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(now.minus(Duration.ofMinutes(5))));
    var mapping = Mapping.load(Home.dir().resolve("config").resolve("mappings").resolve("salesforce.yaml"));
    var rules = LiveRuleSet.of(LiveRuleSet.load(Home.dir().resolve("rules"), LiveRuleSet.vocabulary(List.of(mapping))));
    try (var sandbox = SalesforceSandbox.builder().seed(org).start();
        var server = EmbeddedMariaDb.start(Home.var().resolve("bench-mariadb"), "salesos")) {
      var admin = server.adminCredentials();
      var schema = "bench_latency_" + System.nanoTime();
      try (var c = java.sql.DriverManager.getConnection(server.jdbcUrl("salesos"), admin.user(), admin.password())) {
        c.createStatement().execute("CREATE DATABASE `" + schema + "` CHARACTER SET utf8mb4");
      }
      var settings = new HashMap<String, String>();
      var secrets = new HashMap<String, String>();
      sandbox.connectionSettings().forEach((k, v) -> (k.startsWith("secret.") ? secrets : settings)
          .put(k.replaceFirst("^secret\\.", ""), v));
      settings.put("change_stream", streaming ? "cdc" : "off");
      var provider = Connections.provider("salesforce");
      var context = new ConnectorContext("salesforce", settings, secrets, Clock.systemUTC());
      var connector = new ResilientConnector(provider.create(context), ResilienceSettings.under(provider.rateBudget(context)));
      try (var db = Database.external(server.jdbcUrl(schema), admin.user(), admin.password(), 6);
          var connection = new CrmConnection("salesforce", "salesforce", connector, mapping, true)) {
        var pipeline = new Pipeline(db, List.of(connection), rules, ConflictPolicy.defaults(),
            new Pipeline.Settings(2000, 10_000, 8, Duration.ofSeconds(5), 50_000, 2, 64 * 1024,
                io.salesos.outbox.RunLimits.NONE, Duration.ofSeconds(pollSeconds), 10), Clock.systemUTC());
        pipeline.pull(Optional.empty());
        pipeline.evaluate(Optional.empty());
        pipeline.push();
        pipeline.pull(Optional.empty());
        // open opportunities past Prospecting: the stages where the NO_AMOUNT exit criterion applies
        // (one still in Prospecting gets no flag whatever its amount, so its edit could never be timed)
        var candidates = sandbox.ids("Opportunity").stream().filter(id -> {
          var o = sandbox.get(id).orElseThrow();
          return "false".equals(o.get("IsClosed")) && !"Prospecting".equals(o.get("StageName"));
        }).toList();
        System.out.printf("%s: demo org loaded (%d opportunities, %d open to edit); editing %d at %.1f/s%n",
            streaming ? "streaming on" : "streaming off", sandbox.count("Opportunity"), candidates.size(), changes, rate);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var poller = new Thread(() -> pollLoop(pipeline, stop), "bench-poll");
        poller.setDaemon(true);
        long requests0 = sandbox.faults().requestsUsed();
        long t0 = System.nanoTime();
        poller.start();
        try (var streams = streaming ? StreamRunner.start(pipeline, Duration.ofMillis(200)) : null) {
          return measure(sandbox, candidates, requests0, t0);
        } finally {
          stop.set(true);
          poller.interrupt();
          poller.join(30_000);
        }
      }
    }
  }

  private void pollLoop(Pipeline pipeline, java.util.concurrent.atomic.AtomicBoolean stop) {
    while (!stop.get()) {
      try {
        Thread.sleep(pollSeconds * 1000L);
        if (pipeline.pollDue("salesforce")) {
          pipeline.pull(Optional.of("salesforce"));
          pipeline.evaluate(Optional.of("salesforce"));
        }
        pipeline.push();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        System.out.println("  poll failed: " + e.getMessage());
      }
    }
  }

  private BenchLatencyCommand.Run measure(SalesforceSandbox sandbox, List<String> candidates, long requests0, long t0)
      throws InterruptedException {
    var random = new Random(21);
    record Pending(String deal, Instant committed, boolean flagged) {}
    var pending = new ArrayList<Pending>();
    var millis = new ArrayList<Long>();
    int missed = 0;
    var missedDeals = new ArrayList<String>();
    int made = 0;
    long gapNanos = (long) (1e9 / rate);
    long next = System.nanoTime();
    var timeout = Duration.ofSeconds(pollSeconds * 3L + 30);
    while (made < changes || !pending.isEmpty()) {
      if (made < changes && System.nanoTime() >= next) {
        var busy = new java.util.HashSet<String>();
        pending.forEach(p -> busy.add(p.deal()));
        var free = candidates.stream().filter(d -> !busy.contains(d)).toList();
        if (!free.isEmpty()) {
          var deal = free.get(random.nextInt(free.size()));
          var amount = sandbox.get(deal).orElseThrow().get("Amount");
          boolean hasAmount = amount != null && !amount.isEmpty();
          var fields = new HashMap<String, Object>();
          fields.put("Amount", hasAmount ? null : 25000);
          var at = Instant.now();
          sandbox.editAsUser(List.of(deal), fields);
          pending.add(new Pending(deal, at, hasAmount));
          made++;
        }
        next += gapNanos;
      }
      var now = Instant.now();
      for (var it = pending.iterator(); it.hasNext(); ) {
        var p = it.next();
        var flags = sandbox.get(p.deal()).orElseThrow().get("Salesos_Flags__c");
        if ((flags != null && flags.contains("NO_AMOUNT")) == p.flagged()) {
          millis.add(Duration.between(p.committed(), now).toMillis());
          it.remove();
        } else if (Duration.between(p.committed(), now).compareTo(timeout) > 0) {
          missed++;
          missedDeals.add(p.deal());
          it.remove();
        }
      }
      Thread.sleep(10);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new BenchLatencyCommand.Run(millis, missed, missedDeals, sandbox.faults().requestsUsed() - requests0, 0, seconds, 0);
  }
}
