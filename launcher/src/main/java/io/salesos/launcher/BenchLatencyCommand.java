package io.salesos.launcher;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.schedule.StreamRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Change-to-flag latency: a HubSpot sandbox seeded with the demo org, salesos running over it with
 * the default rule files (the change stream followed by the daemon's own {@link StreamRunner}, the
 * poll as the daemon schedules it), and a user editing deals at a steady rate so that each edit
 * adds or removes the NO_AMOUNT flag. Each change is timed from the sandbox's commit stamp to the
 * moment the sandbox holds salesos's flag write; p50, p95 and max are printed with streaming on and
 * off, with the CRM API requests each run made.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
    description = "Time change-to-flag latency (CRM commit to salesos's write acknowledged) with the change stream on and off.")
final class BenchLatencyCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--crm", required = true, description = "hubspot (the webhooks journal) or salesforce (Change Data Capture)")
  String crm;

  @Option(names = "--changes", description = "deal edits per run (default: ${DEFAULT-VALUE})")
  int changes = 200;

  @Option(names = "--rate", description = "edits per second (default: ${DEFAULT-VALUE})")
  double rate = 2.0;

  @Option(names = "--poll-seconds", description = "the daemon's sync.poll_seconds for both runs (default: ${DEFAULT-VALUE})")
  int pollSeconds = 30;

  @Option(names = "--stream-idle-millis", description = "the daemon's sync.stream_idle_millis: the pause after a stream read"
      + " (default: ${DEFAULT-VALUE}, the daemon's default)")
  int streamIdleMillis = 500;

  @Option(names = "--only", description = "on or off: run one mode only")
  String only;

  @Override
  public Integer call() throws Exception {
    if (!crm.equals("hubspot") && !crm.equals("salesforce")) {
      System.out.println("bench latency: --crm must be hubspot or salesforce, was " + crm);
      return 2;
    }
    var results = new LinkedHashMap<String, Run>();
    for (var streaming : List.of(true, false)) {
      if (only != null && !only.equals(streaming ? "on" : "off")) {
        continue;
      }
      results.put(streaming ? "streaming on" : "streaming off (poll only)",
          crm.equals("salesforce") ? new BenchLatencySalesforce(changes, rate, pollSeconds, streamIdleMillis).run(streaming) : run(streaming));
    }
    System.out.printf("%nbench latency --crm %s --changes %d (%.1f edits/s, poll every %d s, stream idle %d ms):%n", crm, changes,
        rate, pollSeconds, streamIdleMillis);
    results.forEach((mode, r) -> System.out.printf("  %-26s p50 %6.2f s  p95 %6.2f s  max %6.2f s  (%d of %d flagged, %d timed out%s)%n"
        + "  %-26s %d CRM API requests in %.0f s: %.2f per change, %.0f per hour (%d of them journal batch reads, exempt from"
        + " the rate limits); %d safety-net polls%n", mode, r.p(50), r.p(95), r.max(), r.millis.size(), changes, r.missed,
        r.missedDeals.isEmpty() ? "" : ": " + r.missedDeals, "", r.requests, r.seconds, r.requests / (double) changes,
        r.requests * 3600.0 / r.seconds, r.exempt, r.polls));
    var on = results.get("streaming on");
    var off = results.get("streaming off (poll only)");
    if (on != null && off != null) {
      System.out.printf("  streaming on / off: p50 x%.2f, API requests per hour x%.2f, per change x%.2f%n", on.p(50) / off.p(50),
          (on.requests / on.seconds) / (off.requests / off.seconds), on.requests / (double) off.requests);
    }
    return 0;
  }

  /** One mode's figures. */
  record Run(List<Long> millis, int missed, List<String> missedDeals, long requests, long exempt, double seconds, int polls) {
    double p(int p) {
      if (millis.isEmpty()) {
        return Double.NaN;
      }
      var s = new ArrayList<>(millis);
      Collections.sort(s);
      int rank = (int) Math.ceil(p / 100.0 * s.size());
      return s.get(Math.max(0, rank - 1)) / 1000.0;
    }

    double max() {
      return millis.isEmpty() ? Double.NaN : Collections.max(millis) / 1000.0;
    }
  }

  private Run run(boolean streaming) throws Exception {
    var now = Instant.now();
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(now.minus(Duration.ofMinutes(5))));
    try (var sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withoutRequestLog())) {
      var ids = sandbox.seed(org);
      try (var rig = new LatencyRig("hubspot", sandbox.connectionSettings(), streaming ? "journal" : "off", pollSeconds)) {
        rig.firstCycle();
        var candidates = org.deals().stream().filter(d -> !d.stage().closed() && d.stage().ordinal() >= 1)
            .map(d -> ids.get(d.id())).toList();
        System.out.printf("%s: demo org loaded (%d deals, %d to edit); editing %d deals at %.1f/s%n",
            streaming ? "streaming on" : "streaming off", org.deals().size(), candidates.size(), changes, rate);
        long requests0 = sandbox.requestCount();
        long exempt0 = sandbox.journalBatchRequests();
        long t0 = System.nanoTime();
        rig.startPolling();
        try (var streams = streaming ? StreamRunner.start(rig.pipeline, Duration.ofMillis(streamIdleMillis)) : null) {
          var measured = measure(sandbox, candidates, requests0, t0);
          return new Run(measured.millis(), measured.missed(), measured.missedDeals(), measured.requests(),
              sandbox.journalBatchRequests() - exempt0, measured.seconds(), rig.polls());
        }
      }
    }
  }

  private Run measure(HubSpotSandbox sandbox, List<String> candidates, long requests0, long t0) throws InterruptedException {
    var random = new Random(21);
    record Pending(String deal, Instant committed, boolean flagged) {}
    var pending = new ArrayList<Pending>();
    var millis = new ArrayList<Long>();
    var missedDeals = new ArrayList<String>();
    int missed = 0;
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
          var props = sandbox.get("deals", deal).orElseThrow().properties();
          boolean hasAmount = props.get("amount") != null && !props.get("amount").isEmpty();
          var stamp = sandbox.update("deals", List.of(deal), Map.of("amount", hasAmount ? "" : "25000"));
          pending.add(new Pending(deal, stamp, hasAmount));
          made++;
        }
        next += gapNanos;
      }
      var now = Instant.now();
      for (var it = pending.iterator(); it.hasNext(); ) {
        var p = it.next();
        var flags = sandbox.get("deals", p.deal()).orElseThrow().properties().getOrDefault("salesos_flags", "");
        if (flags.contains("NO_AMOUNT") == p.flagged()) {
          millis.add(Duration.between(p.committed(), now).toMillis());
          it.remove();
        } else if (Duration.between(p.committed(), now).compareTo(timeout) > 0) {
          missed++;
          missedDeals.add(p.deal() + "@" + p.committed());
          it.remove();
        }
      }
      Thread.sleep(10);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Run(millis, missed, missedDeals, sandbox.requestCount() - requests0, 0, seconds, 0);
  }
}
