package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.evaluate.AffectedDeals;
import io.salesos.evaluate.RulesRunner;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.rules.Change;
import io.salesos.rules.RuleSet;
import io.salesos.rules.RuleVocabulary;
import io.salesos.rules.SubjectKind;
import io.salesos.spi.CurrencySettings;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Incremental and full evaluation agree on 1,000 random change sequences. A small org (a few reps,
 * half a dozen accounts, tens of deals with contact roles, stage history, tasks, meetings, visits
 * and calls, amounts in two currencies) lives in a {@link MemoryCrm} that offers a change stream
 * for what HubSpot's journal carries (accounts, contacts, deals, activities); deal contacts, stage
 * history and users come by the pull of what the stream does not carry, as with HubSpot. Each
 * sequence starts from a settled org (a full evaluation pushed, its echoes streamed back and
 * evaluated as the daemon does), then edits it as reps do, one change a step. After each step is
 * streamed into the real mirror ({@link Pipeline#applyStream}), the writes the rule set (the
 * shipped rules/ or rules/stock, one per sequence) would queue for the affected deals only are
 * exactly the deal writes a full evaluation of the same mirror queues for them, and a full
 * evaluation queues for every other deal exactly what it queued before the step. The org and the
 * database are shared by every sequence, each going on from where the last one left it (so a
 * failure is reported with its sequence, not shrunk).
 */
class IncrementalEvaluationPropertiesTest {

  static final String SOURCE = "mem";
  /** Every instant of the org is on a whole day, and the clock moves a second a step from 07:00, so no day turns. */
  static final Instant START = Instant.parse("2026-11-18T07:00:00Z");
  static final LocalDate TODAY = LocalDate.of(2026, 11, 18);
  static final List<String> STAGES = List.of("Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation",
      "Verbal Commit", "Closed Won", "Closed Lost");
  static final List<String> CATEGORIES = List.of("Pipeline", "Best Case", "Commit", "Omitted");
  static final List<String> ROLES = List.of("Economic Buyer", "Champion", "Decision Maker", "Influencer");
  static final List<String> INDUSTRIES = List.of("Healthcare", "Education", "Retail", "Agriculture");

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: users
          canonical: owner
          fields: {name: name, first_name: first_name, last_name: last_name, role: role, manager_id: manager_id,
                   time_zone: time_zone}
        - crm_object: accounts
          canonical: account
          fields: {name: name, owner_id: owner_id, industry: industry, lat: lat, lng: lng, created_at: created_at}
        - crm_object: contacts
          canonical: contact
          fields: {account_id: account_id, owner_id: owner_id, first_name: first_name, last_name: last_name,
                   buying_role: buying_role, lifecycle: lifecycle, company: company, created_at: created_at}
        - crm_object: deals
          canonical: deal
          fields: {name: name, account_id: account_id, owner_id: owner_id, stage: stage, amount: amount_original,
                   currency: currency, close_date: close_date, forecast_category: forecast_category,
                   next_step: next_step, next_step_date: next_step_date, mutual_action_plan: mutual_action_plan,
                   is_closed: is_closed, is_won: is_won, stage_entered_at: stage_entered_at, created_at: created_at,
                   salesos_flags: salesos_flags, salesos_forecast_category: salesos_forecast_category}
        - crm_object: roles
          canonical: deal_contact
          fields: {deal_id: deal_id, contact_id: contact_id, role: role, is_primary: is_primary}
        - crm_object: history
          canonical: stage_history
          fields: {deal_id: deal_id, stage: stage, changed_at: changed_at}
        - crm_object: tasks
          canonical: activity
          constants: {kind: task}
          fields: {subject: subject, body: body, due_at: due_at, owner_id: owner_id, status: status, priority: priority,
                   due_date: due_date, deal_id: deal_id, account_id: account_id, contact_id: contact_id,
                   start_at: start_at, created_at: created_at, salesos_key: salesos_key}
        - crm_object: events
          canonical: activity
          fields: {kind: kind, subject: subject, owner_id: owner_id, account_id: account_id, deal_id: deal_id,
                   contact_id: contact_id, start_at: start_at, end_at: end_at, status: status,
                   check_in_lat: check_in_lat, check_in_lng: check_in_lng}
        - crm_object: calls
          canonical: activity
          constants: {kind: call}
          fields: {subject: subject, owner_id: owner_id, account_id: account_id, deal_id: deal_id,
                   contact_id: contact_id, start_at: start_at, status: status}
      """;

  /** What a rep (or an admin) does in one step. */
  enum Kind {
    DEAL_STAGE, DEAL_AMOUNT, DEAL_CLOSE_DATE, DEAL_OWNER, DEAL_CATEGORY, DEAL_NEXT_STEP, DEAL_CREATED, DEAL_DELETED,
    DEAL_MOVED, ACCOUNT_CHANGED, CONTACT_CHANGED, CONTACT_ADDED_TO_DEAL, CONTACT_REMOVED_FROM_DEAL, ACTIVITY_LOGGED,
    ACTIVITY_CHANGED, ACTIVITY_MOVED, ACTIVITY_DELETED, USER_CHANGED, RATES_CHANGED
  }

  /** One step: what is done, and the seed that picks the records and values it is done with. */
  record Op(Kind kind, long seed) {
    @Override
    public String toString() {
      return kind + "#" + seed;
    }
  }

  static World world;

  static synchronized World world() {
    if (world == null) {
      world = new World();
    }
    return world;
  }

  @AfterContainer
  static void close() {
    if (world != null) {
      world.db.close();
      world = null;
    }
  }

  @Provide
  Arbitrary<List<Op>> sequences() {
    var op = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.longs()).as(Op::new);
    return op.list().ofMinSize(5).ofMaxSize(20);
  }

  // about a second of CPU (test JVM and MariaDB) per sequence: 1,000 sequences are a run of their own (set tries = 1000)
  @Property(tries = 50, shrinking = ShrinkingMode.OFF)
  void incrementalAndFullEvaluationAgreeOnRandomChangeSequences(@ForAll("sequences") List<Op> ops,
      @ForAll boolean stockRules) {
    var w = world();
    var rules = stockRules ? w.stock : w.shipped;
    var name = stockRules ? "rules/stock" : "rules/";
    w.settle("before " + ops);
    var before = w.full(rules);
    var done = new ArrayList<Op>();
    for (var op : ops) {
      done.add(op);
      before = w.step(op, rules, before, name + " after " + done);
    }
  }

  /** The org, its mirror and the pipeline over them, shared by every sequence. */
  static final class World {
    final StepClock clock = new StepClock(START);
    final Database db = TestDatabases.fresh();
    final MemoryCrm crm = new MemoryCrm(SOURCE);
    final CrmConnection connection;
    final Pipeline engine;
    final RuleSet shipped = LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard());
    final RuleSet stock = LiveRuleSet.load(Path.of("../rules/stock"), RuleVocabulary.standard());
    final Random setup = new Random(7);
    int next = 1;
    Optional<BigDecimal> euro = Optional.of(new BigDecimal("1.10"));

    World() {
      seed();
      crm.streams(List.of("accounts", "contacts", "deals", "tasks", "events", "calls"));
      connection = new CrmConnection(SOURCE, "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
          Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
      engine = new Pipeline(db, List.of(connection), LiveRuleSet.of(shipped), ConflictPolicy.defaults(),
          new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000,
            io.salesos.config.SalesosConfig.DEFAULT_PULL_LANES, io.salesos.mirror.MirrorStore.DEFAULT_QUARANTINE_PAYLOAD_BYTES,
            io.salesos.outbox.RunLimits.NONE, Duration.ZERO, 10), clock);
      engine.pull(Optional.empty());
      engine.stream(SOURCE); // takes the head
    }

    void seed() {
      crm.currencies(rates());
      var users = new ArrayList<Map<String, Object>>();
      users.add(row("id", "u1", "name", "Mara Lind", "first_name", "Mara", "last_name", "Lind", "role", "manager",
          "time_zone", "UTC"));
      for (int i = 2; i <= 4; i++) {
        users.add(row("id", "u" + i, "name", "Rep " + i, "first_name", "Rep", "last_name", "No" + i, "role", "rep",
            "manager_id", "u1", "time_zone", "UTC"));
      }
      crm.save("users", users);
      for (int i = 1; i <= 6; i++) {
        crm.save("accounts", List.of(account("a" + i, setup)));
      }
      for (int i = 1; i <= 16; i++) {
        crm.save("contacts", List.of(contact("c" + i, setup)));
      }
      for (int i = 1; i <= 22; i++) {
        createDeal("d" + i, setup);
      }
      for (int i = 1; i <= 30; i++) {
        logActivity(setup);
      }
    }

    /** The org's rates: euros at {@link #euro}, or none at all when it is empty (euro deals then have no amount). */
    CurrencySettings rates() {
      return new CurrencySettings("USD", euro.isEmpty() ? List.of() : List.of(new CurrencySettings.Rate("EUR", euro.get(),
          CurrencySettings.Quote.CORPORATE_PER_UNIT, Optional.empty(), Optional.empty(), true, 2)),
          CurrencySettings.DatedBy.CLOSED_DEALS);
    }

    /** One step: the change made in the CRM, streamed into the mirror, compared, then evaluated and pushed as the daemon does. */
    /**
     * Brings the CRM and the mirror to rest as the daemon leaves them: a full evaluation, its writes
     * pushed and their echoes streamed back (each echo evaluated incrementally and pushed in turn).
     */
    void settle(String context) {
      clock.tick();
      engine.evaluate(Optional.of(SOURCE));
      engine.push();
      quiet();
      assertNothingDead(context);
    }

    /** One step: the change made in the CRM and streamed into the mirror; returns what a full evaluation now queues for deals. */
    List<Change> step(Op op, RuleSet rules, List<Change> before, String context) {
      clock.tick();
      apply(op, new Random(op.seed()));
      var applied = engine.applyStream(SOURCE);
      assertThat(applied.step().error()).as(context).isEmpty();
      return compare(rules, applied.affected(), before, context);
    }

    /** Every write salesos queued reached the CRM (or waits as a draft). */
    void assertNothingDead(String context) {
      var dead = new ArrayList<String>();
      try (var c = db.connection(); var rs = c.createStatement().executeQuery(
          "SELECT record_id, write_kind, status, last_error FROM outbox WHERE status NOT IN ('done', 'draft', 'discarded')")) {
        while (rs.next()) {
          dead.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + ": " + rs.getString(4));
        }
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      assertThat(dead).as("%s: writes not done", context).isEmpty();
    }

    /** Streams until nothing more comes (salesos's own writes coming back), as the daemon does. */
    void quiet() {
      for (int i = 0; i < 10; i++) {
        clock.tick();
        if (engine.stream(SOURCE).step().changes() == 0) {
          return;
        }
      }
      throw new AssertionError("the stream did not settle after 10 steps");
    }

    List<Change> compare(RuleSet rules, AffectedDeals.Scope affected, List<Change> before, String context) {
      var runner = new RulesRunner(db, clock);
      var full = full(rules);
      var inScope = inScope(affected);
      var dealRules = rules.taskRuleIds(SubjectKind.DEAL);
      var incremental = affected.everything() ? full : affected.isEmpty() ? List.<Change>of()
          : sorted(runner.runDeals(connection, rules, affected.dealIds(), true).changes());
      var tasks = taskDeals();
      assertThat(describe(incremental, tasks, false)).as("%s: the incremental evaluation of %s against a full one", context,
          affected.everything() ? "every deal" : affected.dealIds())
          .containsExactlyInAnyOrderElementsOf(describe(only(full, c -> inScope.test(dealOf(c, tasks))), tasks, false));
      assertThat(describe(only(full, c -> !inScope.test(dealOf(c, tasks))), tasks, true))
          .as("%s: a full evaluation's writes for the deals not affected (all but %s) after the step, against before it",
              context, affected.everything() ? "none" : affected.dealIds())
          .containsExactlyInAnyOrderElementsOf(describe(only(before, c -> !inScope.test(dealOf(c, tasks))), tasks, true));
      assertThat(incremental).as("only deal rules").allMatch(c -> deal(c, dealRules));
      return full;
    }

    /** What a full evaluation would queue for deals (flags, forecasts, deal rules' tasks and their withdrawals). */
    List<Change> full(RuleSet rules) {
      var dealRules = rules.taskRuleIds(SubjectKind.DEAL);
      var all = new RulesRunner(db, clock).run(connection, rules, true).changes();
      return sorted(all.stream().filter(c -> deal(c, dealRules)).toList());
    }

    static boolean deal(Change c, Set<String> dealRules) {
      if (c instanceof Change.CreateTask t) {
        return dealRules.contains(t.task().ruleId());
      }
      if (c instanceof Change.WithdrawTask w) {
        return dealRules.contains(w.ruleId());
      }
      return true;
    }

    Predicate<String> inScope(AffectedDeals.Scope affected) {
      return id -> affected.everything() || affected.dealIds().contains(id);
    }

    static String dealOf(Change c, Map<String, String> taskDeals) {
      if (c instanceof Change.FlagsChanged f) {
        return f.dealId();
      } else if (c instanceof Change.ForecastCategoryChanged f) {
        return f.dealId();
      } else if (c instanceof Change.CreateTask t) {
        return t.task().dealId().orElse("");
      }
      return taskDeals.getOrDefault(((Change.WithdrawTask) c).taskId(), "");
    }

    /** The deal of every task salesos created, by task id. */
    Map<String, String> taskDeals() {
      var out = new HashMap<String, String>();
      try (var c = db.connection(); var rs = c.createStatement().executeQuery(
          "SELECT id, deal_id FROM activity WHERE source = '" + SOURCE + "' AND salesos_key IS NOT NULL")) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2));
        }
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return out;
    }

    static List<Change> only(List<Change> changes, Predicate<Change> keep) {
      return changes.stream().filter(keep).toList();
    }

    static List<Change> sorted(List<Change> changes) {
      var out = new ArrayList<>(changes);
      out.sort(Comparator.comparing((Change c) -> c.kind().name()).thenComparing(Change::key));
      return out;
    }

    /**
     * Each change in a line a person can read, with a digest of all of it (so two changes that differ
     * anywhere differ); with {@code timeless}, a task to create is told without its due time, which
     * moves with the clock from one step to the next.
     */
    static List<String> describe(List<Change> changes, Map<String, String> taskDeals, boolean timeless) {
      return changes.stream().map(c -> {
        var all = c instanceof Change.CreateTask t && timeless
            ? t.key() + t.task().ruleId() + t.task().subject() + t.task().body() + t.decision() : c.toString();
        var digest = io.salesos.rules.Hashing.sha256(all).substring(0, 8);
        var what = c instanceof Change.FlagsChanged f ? "flags '" + f.before() + "' -> '" + f.after() + "'"
            : c instanceof Change.ForecastCategoryChanged f ? "forecast '" + f.before() + "' -> '" + f.after() + "'"
            : c instanceof Change.CreateTask t ? "create task " + t.task().ruleId() + " \"" + t.task().subject() + "\""
            : "withdraw task " + ((Change.WithdrawTask) c).ruleId() + " " + ((Change.WithdrawTask) c).taskId();
        return "deal " + dealOf(c, taskDeals) + ": " + what.replace('\n', ' ') + " " + c.decision() + " #" + digest;
      }).toList();
    }

    // ---- the changes a rep makes, in the CRM

    void apply(Op op, Random r) {
      switch (op.kind()) {
        case DEAL_STAGE -> {
          var d = pick("deals", r);
          var stage = STAGES.get(r.nextInt(STAGES.size()));
          var entered = day(-r.nextInt(70));
          crm.save("deals", List.of(row("id", d, "stage", stage, "is_closed", Boolean.toString(stage.startsWith("Closed")),
              "is_won", Boolean.toString(stage.equals("Closed Won")), "stage_entered_at", entered)));
          crm.save("history", List.of(row("id", "h" + next++, "deal_id", d, "stage", stage, "changed_at", entered)));
        }
        case DEAL_AMOUNT -> {
          var d = pick("deals", r);
          crm.save("deals", List.of(row("id", d, "amount", r.nextInt(5) == 0 ? null : Integer.toString(1000 * r.nextInt(200)),
              "currency", r.nextBoolean() ? "EUR" : "USD")));
        }
        case DEAL_CLOSE_DATE -> crm.save("deals", List.of(row("id", pick("deals", r), "close_date",
            r.nextInt(6) == 0 ? null : date(r.nextInt(120) - 40))));
        case DEAL_OWNER -> crm.save("deals", List.of(row("id", pick("deals", r), "owner_id", "u" + (2 + r.nextInt(3)))));
        case DEAL_CATEGORY -> crm.save("deals", List.of(row("id", pick("deals", r), "forecast_category",
            CATEGORIES.get(r.nextInt(CATEGORIES.size())))));
        case DEAL_NEXT_STEP -> crm.save("deals", List.of(row("id", pick("deals", r), "next_step",
            r.nextBoolean() ? "Call the buyer" : "", "next_step_date", r.nextInt(4) == 0 ? null : date(r.nextInt(30) - 10),
            "mutual_action_plan", r.nextBoolean() ? "https://plans.example/" + r.nextInt(9) : null)));
        case DEAL_CREATED -> createDeal("n" + next++, r);
        case DEAL_DELETED -> {
          if (crm.all("deals").size() > 12) {
            crm.delete("deals", pick("deals", r));
          }
        }
        case DEAL_MOVED -> crm.save("deals", List.of(row("id", pick("deals", r), "account_id",
            r.nextInt(8) == 0 ? null : pick("accounts", r))));
        case ACCOUNT_CHANGED -> {
          var a = pick("accounts", r);
          crm.save("accounts", List.of(row("id", a, "industry", INDUSTRIES.get(r.nextInt(INDUSTRIES.size())),
              "lat", Double.toString(52.0 + r.nextInt(3) * 0.004), "lng", "4.0", "name", "Account " + a + " " + r.nextInt(9))));
        }
        case CONTACT_CHANGED -> crm.save("contacts", List.of(row("id", pick("contacts", r), "buying_role",
            r.nextInt(3) == 0 ? null : ROLES.get(r.nextInt(ROLES.size())), "account_id", pick("accounts", r))));
        case CONTACT_ADDED_TO_DEAL -> crm.save("roles", List.of(row("id", "r" + next++, "deal_id", pick("deals", r),
            "contact_id", pick("contacts", r), "role", ROLES.get(r.nextInt(ROLES.size())),
            "is_primary", Boolean.toString(r.nextBoolean()))));
        case CONTACT_REMOVED_FROM_DEAL -> {
          if (!crm.all("roles").isEmpty()) {
            crm.delete("roles", pick("roles", r));
          }
        }
        case ACTIVITY_LOGGED -> logActivity(r);
        case ACTIVITY_CHANGED -> {
          var object = List.of("tasks", "events", "calls").get(r.nextInt(3));
          if (!crm.all(object).isEmpty()) {
            var id = pick(object, r);
            var status = object.equals("events") ? List.of("completed", "planned", "cancelled").get(r.nextInt(3))
                : r.nextBoolean() ? "completed" : "planned";
            crm.save(object, List.of(row("id", id, "status", status, "start_at", day(-r.nextInt(40)))));
          }
        }
        case ACTIVITY_MOVED -> {
          var object = List.of("tasks", "events", "calls").get(r.nextInt(3));
          if (!crm.all(object).isEmpty()) {
            var id = pick(object, r);
            crm.save(object, List.of(r.nextBoolean() ? row("id", id, "deal_id", r.nextInt(4) == 0 ? null : pick("deals", r))
                : row("id", id, "account_id", r.nextInt(4) == 0 ? null : pick("accounts", r))));
          }
        }
        case ACTIVITY_DELETED -> {
          var object = List.of("tasks", "events", "calls").get(r.nextInt(3));
          if (crm.all(object).size() > 3) {
            crm.delete(object, pick(object, r));
          }
        }
        case USER_CHANGED -> {
          var u = "u" + (2 + r.nextInt(3));
          crm.save("users", List.of(row("id", u, "first_name", "Rep" + r.nextInt(5))));
        }
        case RATES_CHANGED -> {
          // the rates read again (every quarter hour in the daemon), then a rep's edit arrives on the stream
          euro = r.nextInt(3) == 0 ? Optional.empty() : Optional.of(new BigDecimal("1.0" + r.nextInt(10)));
          crm.currencies(rates());
          engine.sync().amounts().refresh(connection, true);
          crm.save("accounts", List.of(row("id", pick("accounts", r), "name", "Account renamed " + r.nextInt(99))));
        }
      }
    }

    Map<String, Object> account(String id, Random r) {
      return row("id", id, "name", "Account " + id, "owner_id", "u" + (2 + r.nextInt(3)),
          "industry", INDUSTRIES.get(r.nextInt(INDUSTRIES.size())), "lat", "52.0", "lng", "4.0",
          "created_at", day(-400));
    }

    Map<String, Object> contact(String id, Random r) {
      boolean lead = r.nextInt(4) == 0;
      return row("id", id, "account_id", pick("accounts", r), "owner_id", "u" + (2 + r.nextInt(3)),
          "first_name", "First" + id, "last_name", "Last" + id, "buying_role", r.nextBoolean() ? ROLES.get(r.nextInt(4)) : null,
          "lifecycle", lead ? "lead" : "customer", "company", lead ? "Lead Co" : null, "created_at", day(-r.nextInt(60)));
    }

    void createDeal(String id, Random r) {
      var stage = STAGES.get(r.nextInt(STAGES.size()));
      var entered = day(-r.nextInt(70));
      crm.save("deals", List.of(row("id", id, "name", "Deal " + id, "account_id", r.nextInt(10) == 0 ? null : pick("accounts", r),
          "owner_id", "u" + (2 + r.nextInt(3)), "stage", stage, "amount", r.nextInt(6) == 0 ? null : Integer.toString(1000 * r.nextInt(200)),
          "currency", r.nextInt(3) == 0 ? "EUR" : "USD", "close_date", date(r.nextInt(120) - 30),
          "forecast_category", CATEGORIES.get(r.nextInt(CATEGORIES.size())), "next_step", r.nextBoolean() ? "Demo" : null,
          "next_step_date", r.nextBoolean() ? date(r.nextInt(30) - 5) : null,
          "mutual_action_plan", r.nextBoolean() ? "https://plans.example/" + id : null,
          "is_closed", Boolean.toString(stage.startsWith("Closed")), "is_won", Boolean.toString(stage.equals("Closed Won")),
          "stage_entered_at", entered, "created_at", day(-100))));
      crm.save("history", List.of(row("id", "h" + next++, "deal_id", id, "stage", stage, "changed_at", entered)));
      for (int i = r.nextInt(4); i > 0; i--) {
        crm.save("roles", List.of(row("id", "r" + next++, "deal_id", id, "contact_id", pick("contacts", r),
            "role", ROLES.get(r.nextInt(ROLES.size())), "is_primary", Boolean.toString(r.nextInt(3) == 0))));
      }
    }

    void logActivity(Random r) {
      var id = "t" + next++;
      var deal = r.nextInt(3) == 0 ? null : pick("deals", r);
      var account = r.nextInt(3) == 0 ? null : pick("accounts", r);
      var start = day(-r.nextInt(40));
      switch (r.nextInt(3)) {
        case 0 -> crm.save("tasks", List.of(row("id", id, "subject", r.nextInt(4) == 0 ? "Hand-off notes" : "Send the quote",
            "owner_id", "u" + (2 + r.nextInt(3)), "status", r.nextBoolean() ? "completed" : "planned", "deal_id", deal,
            "account_id", account, "start_at", start, "created_at", start)));
        case 1 -> {
          boolean onSite = r.nextBoolean();
          crm.save("events", List.of(row("id", id, "kind", r.nextBoolean() ? "visit" : "meeting", "subject", "Visit",
              "owner_id", "u" + (2 + r.nextInt(3)), "account_id", account, "deal_id", deal, "start_at", start,
              "status", List.of("completed", "planned", "cancelled").get(r.nextInt(3)),
              "check_in_lat", onSite ? "52.001" : null, "check_in_lng", onSite ? "4.0" : null)));
        }
        default -> crm.save("calls", List.of(row("id", id, "subject", "Call", "owner_id", "u" + (2 + r.nextInt(3)),
            "account_id", account, "deal_id", deal, "start_at", start, "status", "completed")));
      }
    }

    String pick(String object, Random r) {
      var ids = new TreeSet<String>();
      crm.all(object).forEach(s -> ids.add(s.id()));
      var list = new ArrayList<>(ids);
      return list.get(r.nextInt(list.size()));
    }

    static String day(int offset) {
      return TODAY.plusDays(offset).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
    }

    static String date(int offset) {
      return TODAY.plusDays(offset).toString();
    }

    static Map<String, Object> row(Object... pairs) {
      var out = new TreeMap<String, Object>();
      for (int i = 0; i < pairs.length; i += 2) {
        out.put((String) pairs[i], pairs[i + 1]);
      }
      return out;
    }
  }

  /** The pipeline's clock: a second further at every step, so runs get ids of their own and no day turns. */
  static final class StepClock extends Clock {
    private volatile Instant now;

    StepClock(Instant start) {
      this.now = start;
    }

    void tick() {
      now = now.plusSeconds(1);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
