package io.salesos.launcher;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.schedule.StreamRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
  private final int streamIdleMillis;

  BenchLatencySalesforce(int changes, double rate, int pollSeconds, int streamIdleMillis) {
    this.changes = changes;
    this.rate = rate;
    this.pollSeconds = pollSeconds;
    this.streamIdleMillis = streamIdleMillis;
  }

  BenchLatencyCommand.Run run(boolean streaming) throws Exception {
    var now = Instant.now();
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(now.minus(Duration.ofMinutes(5))));
    try (var sandbox = SalesforceSandbox.builder().seed(org).start();
        var rig = new LatencyRig("salesforce", sandbox.connectionSettings(), streaming ? "cdc" : "off", pollSeconds)) {
      rig.firstCycle();
      // open opportunities past Prospecting: the stages where the NO_AMOUNT exit criterion applies
      // (one still in Prospecting gets no flag whatever its amount, so its edit could never be timed)
      var candidates = sandbox.ids("Opportunity").stream().filter(id -> {
        var o = sandbox.get(id).orElseThrow();
        return "false".equals(o.get("IsClosed")) && !"Prospecting".equals(o.get("StageName"));
      }).toList();
      System.out.printf("%s: demo org loaded (%d opportunities, %d open to edit); editing %d at %.1f/s%n",
          streaming ? "streaming on" : "streaming off", sandbox.count("Opportunity"), candidates.size(), changes, rate);
      long requests0 = sandbox.faults().requestsUsed();
      long t0 = System.nanoTime();
      rig.startPolling();
      try (var streams = streaming ? StreamRunner.start(rig.pipeline, Duration.ofMillis(streamIdleMillis)) : null) {
        var measured = measure(sandbox, candidates, requests0, t0);
        return new BenchLatencyCommand.Run(measured.millis(), measured.missed(), measured.missedDeals(), measured.requests(), 0,
            measured.seconds(), rig.polls());
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
