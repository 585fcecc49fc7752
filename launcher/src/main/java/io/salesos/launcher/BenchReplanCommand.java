package io.salesos.launcher;

import io.salesos.cli.Home;
import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.schedule.DaemonScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The change-to-re-plan latency as a rep lives it: a sandbox Salesforce org whose reps each have a
 * planned day around a booked meeting, the daemon's own scheduler pulling and pushing every poll
 * interval, and meetings cancelled in the sandbox one after another at random moments of the poll
 * cycle. For each cancellation it measures the wall time until the rep's re-planned route (the
 * changed plan events) can be read back from the sandbox, and prints the median and the worst, each
 * against the poll interval of the same run.
 */
@Command(name = "replan", mixinStandardHelpOptions = true,
    description = "Cancel booked meetings in a sandbox CRM while the daemon's scheduler runs; print the median and worst"
        + " latency from each cancellation to the re-planned route landing in the CRM, against the poll interval.")
final class BenchReplanCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--cancellations", description = "meetings to cancel, one rep each (default: ${DEFAULT-VALUE})")
  int cancellations = 20;

  @Option(names = "--poll-seconds", description = "the daemon's poll interval, sync.poll_seconds (default: ${DEFAULT-VALUE})")
  int pollSeconds = 10;

  @Option(names = "--accounts-per-rep", description = "accounts each rep covers (default: ${DEFAULT-VALUE})")
  int accountsPerRep = 15;

  @Option(names = "--seed", description = "random seed of the org and of the moments cancelled (default: ${DEFAULT-VALUE})")
  long seed = 19L;

  static final ZoneId ZONE = ZoneId.of("America/Chicago");

  @Override
  public Integer call() throws Exception {
    if (cancellations < 1 || pollSeconds < 1) {
      throw new IllegalArgumentException("--cancellations and --poll-seconds must be at least 1");
    }
    // Monday evening at the reps' (Chicago and Dallas): Tuesday is planned around a booked meeting each
    var monday = ZonedDateTime.now(ZONE).with(TemporalAdjusters.next(DayOfWeek.MONDAY)).with(LocalTime.of(19, 0));
    var day = monday.toLocalDate().plusDays(1);
    var clock = SandboxClock.system();
    clock.set(monday.toInstant());
    int repsPerRegion = (cancellations + 1) / 2;
    var org = DemoOrgGenerator.generate(new DemoOrgGenerator.Options(seed, monday.toInstant(), 2, repsPerRegion,
        accountsPerRep, 4, 1, 2));
    var work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "sbr");
    try (var salesforce = SalesforceSandbox.builder().clock(clock).seed(org).start()) {
      var meetings = bookMeetings(salesforce, org, day);
      System.out.printf("org: %d reps in %s, %d accounts; %d meetings booked on %s; poll every %d s%n",
          meetings.size(), ZONE, org.accounts().size(), meetings.size(), day, pollSeconds);
      var config = SalesosConfig.load(writeConfig(work));
      try (var runtime = SalesosRuntime.open(config, Map.of("salesforce", salesforce.connectionSettings()), System::getenv,
          clock)) {
        var pipeline = runtime.pipeline();
        pipeline.pull(Optional.empty());
        pipeline.plan(day, Optional.of("salesforce"));
        pipeline.outbox().runsInReview().keySet().forEach(run -> pipeline.outbox().releaseRun(run, "bench"));
        var pushed = pipeline.push();
        System.out.printf("planned %s for every rep: %d plan events written%n", day, pushed.written());
        // Tuesday 09:10 at the reps': the day has begun and the meetings are still ahead
        clock.set(day.atTime(9, 10).atZone(ZONE).toInstant());
        pipeline.pull(Optional.empty());
        var random = new Random(seed);
        var latencies = new ArrayList<Double>();
        int unchanged = 0;
        try (var scheduler = DaemonScheduler.start(runtime, (job, millis) -> { })) {
          // the scheduler's first pull and push run at once; start from its steady state
          Thread.sleep(pollSeconds * 1000L + random.nextInt(pollSeconds * 1000));
          int n = 0;
          for (var m : meetings) {
            if (n++ == cancellations) {
              break;
            }
            var before = planEvents(salesforce, m.repId(), day);
            salesforce.editAsUser(List.of(m.eventId()), Map.of("Status__c", "Cancelled"));
            long t0 = System.nanoTime();
            Optional<Double> landed = Optional.empty();
            while ((System.nanoTime() - t0) / 1e9 < 6.0 * pollSeconds) {
              Thread.sleep(50);
              if (!planEvents(salesforce, m.repId(), day).equals(before)) {
                landed = Optional.of((System.nanoTime() - t0) / 1e9);
                break;
              }
            }
            if (landed.isPresent()) {
              latencies.add(landed.get());
              System.out.printf("cancellation %2d (%s): re-planned route in the CRM after %.2f s (%.2f poll intervals)%n", n,
                  m.repName(), landed.get(), landed.get() / pollSeconds);
            } else {
              unchanged++;
              System.out.printf("cancellation %2d (%s): no change to the route in %d s%n", n, m.repName(), 6 * pollSeconds);
            }
            // the next cancellation at a random moment of the poll cycle
            Thread.sleep(random.nextInt(pollSeconds * 1000));
          }
        }
        int duplicated = 0;
        for (var m : meetings) {
          duplicated += (int) planEvents(salesforce, m.repId(), day).values().stream().filter(c -> c > 1).count();
        }
        if (latencies.isEmpty()) {
          System.out.println("no re-planned route landed: nothing to measure");
          return 1;
        }
        double median = BenchSyncCommand.median(latencies);
        double worst = latencies.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        System.out.printf("re-planned %d of %d cancellations (%d left the route as it was); duplicated plan events: %d%n",
            latencies.size(), latencies.size() + unchanged, unchanged, duplicated);
        System.out.printf("cancellation to re-planned route in the CRM: median %.2f s, worst %.2f s; poll interval %d s:"
            + " median %.2f and worst %.2f poll intervals%n", median, worst, pollSeconds, median / pollSeconds, worst / pollSeconds);
        return 0;
      }
    } finally {
      deleteQuietly(work);
    }
  }

  /** A booked meeting of one rep: the CRM event to cancel. */
  record Meeting(String repId, String repName, String eventId) {}

  /** One meeting at 13:00 on {@code day} for each rep, at one of the rep's accounts, as a rep books it in the CRM. */
  private static List<Meeting> bookMeetings(SalesforceSandbox salesforce, DemoOrg org, LocalDate day) {
    var reps = new HashMap<String, DemoOrg.User>();
    org.users().stream().filter(u -> u.role() == DemoOrg.Role.REP).forEach(u -> reps.put(u.email(), u));
    var accountsOf = new HashMap<String, String>();
    for (var id : salesforce.ids("Account")) {
      accountsOf.putIfAbsent(salesforce.get(id).orElseThrow().get("OwnerId"), id);
    }
    var out = new ArrayList<Meeting>();
    for (var id : salesforce.ids("User")) {
      var user = salesforce.get(id).orElseThrow();
      var rep = reps.get(user.get("Email"));
      if (rep == null || !accountsOf.containsKey(id)) {
        continue;
      }
      var start = day.atTime(13, 0).atZone(rep.timeZone()).toInstant();
      var fields = new HashMap<String, Object>();
      fields.put("Type", "Meeting");
      fields.put("Subject", "Contract review with " + rep.lastName());
      fields.put("OwnerId", id);
      fields.put("WhatId", accountsOf.get(id));
      fields.put("StartDateTime", start);
      fields.put("EndDateTime", start.plusSeconds(3600));
      fields.put("Status__c", "Planned");
      out.add(new Meeting(id, rep.firstName() + " " + rep.lastName(), salesforce.createAsUser("Event", fields)));
    }
    return out;
  }

  /** The rep's live salesos plan events on {@code day}, counted per account and start (a count over 1 is a duplicate). */
  private static Map<String, Integer> planEvents(SalesforceSandbox salesforce, String repId, LocalDate day) {
    var out = new TreeMap<String, Integer>();
    for (var id : salesforce.ids("Event")) {
      var e = salesforce.get(id).orElseThrow();
      var key = e.get("Salesos_Key__c");
      if (key == null || key.isEmpty() || !repId.equals(e.get("OwnerId"))) {
        continue;
      }
      var start = Instant.parse(e.get("StartDateTime").replace("+0000", "Z"));
      if (LocalDate.ofInstant(start, ZONE).equals(day)) {
        out.merge(e.get("WhatId") + "@" + e.get("StartDateTime"), 1, Integer::sum);
      }
    }
    return out;
  }

  private Path writeConfig(Path work) throws java.io.IOException {
    var home = Home.dir();
    var file = work.resolve("salesos.yaml");
    Files.writeString(file, """
        database:
          embedded:
            data_dir: db
        connections:
          - name: salesforce
            type: salesforce
            mapping: %s
            sandbox: true
        rules: %s
        sync:
          poll_seconds: %d
        """.formatted(home.resolve("config/mappings/salesforce.yaml"), home.resolve("rules"), pollSeconds));
    return file;
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println("could not remove " + dir + ": " + e.getMessage());
    }
  }
}
