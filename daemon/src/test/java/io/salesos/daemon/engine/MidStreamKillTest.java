package io.salesos.daemon.engine;

import static io.salesos.daemon.engine.EngineFixtures.awaitLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The daemon itself ({@code salesos run} in a child JVM, the repository's HubSpot mapping and rule
 * files, {@code change_stream: journal}) follows HubSpot's webhooks journal while a user edits deals
 * in the sandbox at a steady rate, and is killed with SIGKILL ten times at seeded random points
 * after a streamed batch (while it applies the next, evaluates the affected deals or pushes their
 * flags), started again after each kill. The sandbox and the mirror's database outlive every kill.
 * Once the edits stop and the last life has settled: the mirror holds every deal as the CRM does
 * (each edit applied, each version recorded once), every salesos task is in the CRM once and each
 * write was journalled once (a batch the CRM answered just before a kill may be sent again, which
 * lands on the same values: at most one such resend per kill), and no conflict row names a write of
 * salesos's own.
 *
 * <p>The seed is printed; {@code -Dsalesos.kill.seed=N} runs the same kill points again.
 */
@Tag("slow")
class MidStreamKillTest extends ChildDaemonTest {

  static final int KILLS = 10;
  static final Pattern QUEUED = Pattern.compile("event=rules_run .* queued=(\\d+)");

  @Test
  void aDaemonKilledTenTimesMidStreamAppliesEveryEditOnceAndWritesNothingTwice() throws Exception {
    long seed = Long.getLong("salesos.kill.seed", System.currentTimeMillis());
    System.out.println("MidStreamKillTest seed=" + seed + " (run again with -Dsalesos.kill.seed=" + seed + ")");
    var random = new Random(seed);
    long t0 = System.nanoTime();
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ZERO));
    sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.now().truncatedTo(ChronoUnit.SECONDS))));
    var schema = TestDatabases.newSchema();
    var config = config(schema);
    var logs = Files.createDirectories(Path.of("target", "mid-stream-kill", Long.toString(seed)));

    // the first life loads the org and starts following the journal; it is not killed
    var log = logs.resolve("life-0.log");
    child = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
    awaitLine(log, 0, l -> l.contains("event=stream_started"), Duration.ofSeconds(180), child);
    awaitLine(log, 0, l -> QUEUED.matcher(l).find(), Duration.ofSeconds(120), child);

    // a user edits open deals at a steady rate (every edit a new name, the amount cleared or set), across every kill
    var deals = sandbox.ids("deals").stream().filter(id -> sandbox.get("deals", id).orElseThrow().property("hs_is_closed")
        .map("false"::equals).orElse(true)).limit(40).toList();
    var editing = new AtomicBoolean(true);
    var edits = new AtomicInteger();
    var editRandom = new Random(seed + 1);
    var editor = new Thread(() -> {
      while (editing.get()) {
        var id = deals.get(editRandom.nextInt(deals.size()));
        int n = edits.incrementAndGet();
        sandbox.update("deals", List.of(id), Map.of("dealname", "Edited deal #" + n,
            "amount", editRandom.nextInt(3) == 0 ? "" : Integer.toString(1_000 + n)));
        EngineFixtures.sleep(150);
      }
    }, "editor");
    editor.start();

    var kills = new ArrayList<String>();
    for (int kill = 1; kill <= KILLS; kill++) {
      if (kill > 1) {
        log = logs.resolve("life-" + kill + ".log");
        child = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
      }
      int from = EngineFixtures.lines(log).size();
      // timed from a streamed batch of this life, so every life gets somewhere before it dies
      awaitLine(log, kill == 1 ? from : 0, l -> l.contains("event=streamed "), Duration.ofSeconds(120), child);
      int delay = random.nextInt(1_500);
      Thread.sleep(delay);
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      kills.add("kill %d +%d ms (edits %d, pending %d)".formatted(kill, delay, edits.get(),
          EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")));
      assertThat(salesosTasksByKey()).as("after kill %d", kill)
          .allSatisfy((key, n) -> assertThat(n).as("tasks with key %s", key).isEqualTo(1));
    }
    editing.set(false);
    editor.join();

    // the last life runs until the mirror holds every edit and an evaluation of the whole mirror concludes nothing new
    log = logs.resolve("life-final.log");
    child = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
    awaitLine(log, 0, l -> l.contains(" running: "), Duration.ofSeconds(90), child);
    long end = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    boolean settled = false;
    int at = 0;
    while (!settled && System.nanoTime() < end) {
      int line = awaitLine(log, at, l -> QUEUED.matcher(l).find() && l.contains("scope=all"),
          Duration.ofNanos(Math.max(1, end - System.nanoTime())), child);
      at = line + 1;
      var m = QUEUED.matcher(EngineFixtures.lines(log).get(line));
      settled = m.find() && Integer.parseInt(m.group(1)) == 0 && mirrorEqualsCrm(schema, deals)
          && EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0;
    }
    child.destroy();
    child.waitFor(20, TimeUnit.SECONDS);
    System.out.println("MidStreamKillTest seed=" + seed + ": " + String.join("; ", kills) + "; " + edits.get()
        + " edits; settled after " + EngineFixtures.since(t0).toSeconds() + " s");

    assertThat(settled).as("the mirror equal to the CRM and nothing left to write, logs in " + logs.toAbsolutePath()).isTrue();
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM (SELECT record_id, row_hash FROM record_history"
        + " WHERE crm_object = 'deals' GROUP BY record_id, row_hash HAVING COUNT(*) > 1) twice"))
        .as("deal versions recorded twice (an edit applied twice): %s", versionsTwice(schema)).isZero();
    assertThat(salesosTasksByKey()).allSatisfy((key, n) -> assertThat(n).as("tasks with key %s", key).isEqualTo(1));
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM (SELECT idem_key FROM write_journal WHERE outcome = 'written'"
        + " GROUP BY idem_key HAVING COUNT(*) > 1) twice")).as("writes journalled twice: %s", rows(schema, "SELECT CONCAT(j.idem_key,"
        + " ' ', j.record_id, ' ', j.write_kind, ' ', j.written_at, ' ', COALESCE(j.run_id, '-')) FROM write_journal j JOIN (SELECT idem_key"
        + " FROM write_journal WHERE outcome = 'written' GROUP BY idem_key HAVING COUNT(*) > 1) t ON t.idem_key = j.idem_key ORDER BY j.id"))
        .isZero();
    assertThat(resentFlagWrites()).as("flag writes the CRM received twice (one batch per kill may be resent)")
        .isLessThanOrEqualTo(KILLS);
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM conflict")).as("conflict rows (the user never touches"
        + " salesos's fields, so any would name salesos's own write)").isZero();
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status NOT IN ('done', 'draft', 'discarded')"))
        .as("no write failed, held or dead").isZero();
  }

  private static List<String> rows(String schema, String sql) {
    var out = new ArrayList<String>();
    try (var c = TestDatabases.connect(schema); var rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (java.sql.SQLException e) {
      out.add(e.getMessage());
    }
    return out;
  }

  /** Every version of each deal that has a version recorded twice, one line each, for a person to read. */
  private static List<String> versionsTwice(String schema) {
    var out = new ArrayList<String>();
    try (var c = TestDatabases.connect(schema); var rs = c.createStatement().executeQuery("SELECT h.record_id, h.seq,"
        + " h.crm_modified_at, h.pulled_at, LEFT(h.row_hash, 8), h.deleted, h.fields FROM record_history h JOIN (SELECT DISTINCT"
        + " record_id FROM record_history WHERE crm_object = 'deals' GROUP BY record_id, row_hash HAVING COUNT(*) > 1) t"
        + " ON t.record_id = h.record_id WHERE h.crm_object = 'deals' ORDER BY h.record_id, h.seq")) {
      while (rs.next()) {
        var f = io.salesos.mirror.CanonicalJson.read(rs.getString(7));
        out.add(rs.getString(1) + " seq=" + rs.getLong(2) + " modified=" + rs.getString(3) + " pulled=" + rs.getString(4)
            + " hash=" + rs.getString(5) + " deleted=" + rs.getBoolean(6) + " name=" + f.get("name") + " amount="
            + f.get("amount_original") + " flags=" + String.valueOf(f.get("salesos_flags")).length());
      }
    } catch (java.sql.SQLException e) {
      out.add(e.getMessage());
    }
    return out;
  }

  /** Whether every edited deal's name and amount in the mirror are the CRM's. */
  private boolean mirrorEqualsCrm(String schema, List<String> deals) {
    var names = EngineFixtures.mirrored(schema, "deal", "deals", "name");
    var amounts = EngineFixtures.mirrored(schema, "deal", "deals", "amount_original");
    for (var id : deals) {
      var crm = sandbox.get("deals", id).orElseThrow();
      if (!crm.property("dealname").orElse("").equals(names.get(id))
          || !sameAmount(crm.property("amount").orElse(""), amounts.get(id))) {
        return false;
      }
    }
    return names.keySet().containsAll(deals);
  }

  private static boolean sameAmount(String crm, String mirror) {
    if (crm.isBlank() || mirror == null) {
      return crm.isBlank() && mirror == null;
    }
    return new BigDecimal(crm).compareTo(new BigDecimal(mirror)) == 0;
  }

  /**
   * How many deal flag writes the sandbox received again with the same value after the deal last
   * changed: each such write beyond the first is a write made twice.
   */
  private int resentFlagWrites() {
    var lastSent = new HashMap<String, String>();
    int resent = 0;
    for (var body : sandbox.requestBodies("POST", "/crm/v3/objects/deals/batch/update")) {
      var json = io.salesos.mirror.CanonicalJson.read(body);
      @SuppressWarnings("unchecked")
      var inputs = (List<Map<String, Object>>) json.getOrDefault("inputs", List.of());
      for (var in : inputs) {
        @SuppressWarnings("unchecked")
        var props = (Map<String, Object>) in.get("properties");
        if (props == null || !props.containsKey("salesos_flags")) {
          continue;
        }
        var key = String.valueOf(in.get("id"));
        var value = String.valueOf(props.get("salesos_flags"));
        if (value.equals(lastSent.put(key, value))) {
          resent++;
        }
      }
    }
    System.out.println("MidStreamKillTest flag writes sent again with the value last sent: " + resent);
    return resent;
  }

  /** How many tasks the CRM holds per salesos key (the org's own tasks, without one, left out). */
  private Map<String, Integer> salesosTasksByKey() {
    var out = new TreeMap<>(EngineFixtures.tasksByKey(sandbox));
    out.remove("");
    return out;
  }

  /** The daemon's configuration: the sandbox as a real HubSpot account with its journal, the repository's mapping and rules. */
  private Path config(String schema) throws IOException {
    var root = Path.of("..").toAbsolutePath().normalize();
    var conf = Files.createDirectories(dir.resolve("conf"));
    var token = conf.resolve("hubspot-token");
    Files.writeString(token, sandbox.token());
    var file = conf.resolve("salesos.yaml");
    Files.writeString(file, """
        database:
          url: "%s"
          user: %s
          password: {file: %s}
          pool_size: 4
        connections:
          - name: hubspot
            type: hubspot
            mapping: %s
            settings:
              base_url: %s
              tier: %s
              change_stream: journal
            secrets:
              token: {file: %s}
        rules: %s
        sync:
          poll_seconds: 2
          evaluate_seconds: 4
          stream_idle_millis: 200
        admin:
          port: 0
        """.formatted(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.passwordFile(),
        root.resolve("config/mappings/hubspot.yaml"), sandbox.baseUrl(), sandbox.tier(), token, root.resolve("rules")));
    return file;
  }
}
