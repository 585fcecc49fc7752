package io.salesos.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.mirror.Database;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.AdjustedForecast;
import io.salesos.rules.DealFlags;
import io.salesos.rules.DesiredState;
import io.salesos.rules.ForecastRollup;
import io.salesos.rules.RuleError;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.RuleSet;
import io.salesos.rules.RuleVocabulary;
import io.salesos.rules.TaskToCreate;
import io.salesos.testing.DemoMirror;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo org in a real mirror, evaluated whole (every record read at once) and in partitions
 * (account ranges of several sizes, random ranges, sets of deals): the verdicts are the same, every
 * subject is evaluated exactly once, and the forecast rollups add up to the whole run's. The
 * mirror is first bent so that contexts cross partitions: deal roles naming contacts of other
 * accounts, activities on a deal logged against another account, deals without an account, and
 * meetings about a deal of another account.
 */
class PartitionedEvaluationTest {

  static final Instant NOW = Instant.parse("2026-11-23T07:00:00Z");
  static final String SOURCE = "demo";

  static Database db;
  static RuleSet rules;
  static DesiredState whole;
  static List<String> accountIds;
  static List<String> dealIds;

  @BeforeAll
  static void loadTheDemoOrg() throws Exception {
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(NOW));
    db = Database.external(TestDatabases.jdbcUrl(TestDatabases.newSchema()), TestDatabases.user(), TestDatabases.password(), 4);
    DemoMirror.load(db, org, SOURCE);
    rules = LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard());
    try (var c = db.connection(); var st = c.createStatement()) {
      // roles naming a contact of another account, activities of a deal logged against another account
      st.executeUpdate("UPDATE deal_contact r JOIN (SELECT id FROM contact ORDER BY id LIMIT 40) x"
          + " SET r.contact_id = x.id WHERE r.id IN (SELECT id FROM (SELECT id FROM deal_contact ORDER BY id DESC LIMIT 40) y)");
      st.executeUpdate("UPDATE activity SET deal_id = (SELECT MAX(id) FROM deal WHERE is_closed = FALSE)"
          + " WHERE id IN (SELECT id FROM (SELECT id FROM activity WHERE deal_id IS NULL ORDER BY id LIMIT 60) y)");
      // deals and contacts without an account, meetings about a deal of another account
      st.executeUpdate("UPDATE deal SET account_id = NULL WHERE id IN (SELECT id FROM (SELECT id FROM deal ORDER BY id LIMIT 15) y)");
      st.executeUpdate("UPDATE contact SET account_id = NULL WHERE id IN (SELECT id FROM (SELECT id FROM contact"
          + " WHERE lifecycle = 'lead' ORDER BY id LIMIT 15) y)");
      st.executeUpdate("UPDATE activity SET deal_id = (SELECT MIN(id) FROM deal WHERE is_closed = FALSE)"
          + " WHERE kind = 'meeting' AND start_at BETWEEN '2026-11-22' AND '2026-11-24' ORDER BY id LIMIT 5");
    }
    whole = new RuleEvaluator(rules).evaluate(new MirrorContextSource(db, SOURCE, NOW), NOW);
    accountIds = column("SELECT id FROM account WHERE deleted = FALSE ORDER BY id");
    dealIds = new ArrayList<>(whole.evaluatedDealIds());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static List<String> column(String sql) throws Exception {
    var out = new ArrayList<String>();
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void theWholeRunSeesEveryKindOfSubjectAndTheBentContexts() {
    assertThat(whole.evaluatedDealIds()).hasSizeGreaterThan(1_500);
    assertThat(whole.tasks()).extracting(TaskToCreate::ruleId).contains("sla.lead_untouched");
    assertThat(whole.tasks()).filteredOn(t -> t.dealId().isEmpty()).isNotEmpty();
    assertThat(whole.flags()).hasSizeGreaterThan(100);
    assertThat(whole.rollups()).isNotEmpty();
  }

  @Test
  void partitionsOfEverySizeGiveTheVerdictsOfTheWholeMirror() {
    for (int size : List.of(3, 250, MirrorPartitions.DEFAULT_ACCOUNTS, 10_000)) {
      var parts = new MirrorPartitions(db, SOURCE, NOW, size);
      var results = new ArrayList<DesiredState>();
      parts.all(parts.owners(), p -> results.add(new RuleEvaluator(rules).evaluate(p, NOW)));
      assertThat(results).as("partitions of %d accounts", size).hasSize(accountIds.size() / size + 1);
      assertSameAsWhole(results, "partitions of " + size + " accounts");
    }
  }

  @Test
  void randomAccountRangesGiveTheVerdictsOfTheWholeMirror() {
    var random = new Random(17);
    for (int round = 0; round < 3; round++) {
      var cuts = new TreeSet<String>();
      int n = 1 + random.nextInt(40);
      for (int i = 0; i < n; i++) {
        cuts.add(accountIds.get(random.nextInt(accountIds.size())));
      }
      var parts = new MirrorPartitions(db, SOURCE, NOW, 1);
      var owners = parts.owners();
      var results = new ArrayList<DesiredState>();
      Optional<String> after = Optional.empty();
      for (var cut : cuts) {
        results.add(new RuleEvaluator(rules).evaluate(parts.range(owners, after, Optional.of(cut)), NOW));
        after = Optional.of(cut);
      }
      results.add(new RuleEvaluator(rules).evaluate(parts.range(owners, after, Optional.empty()), NOW));
      assertSameAsWhole(results, "random cuts " + cuts);
    }
  }

  @Test
  void aRandomSetOfDealsGetsTheVerdictsTheWholeRunGaveThem() {
    var random = new Random(5);
    var chosen = new TreeSet<String>();
    while (chosen.size() < 300) {
      chosen.add(dealIds.get(random.nextInt(dealIds.size())));
    }
    var parts = new MirrorPartitions(db, SOURCE, NOW, 64);
    var results = new ArrayList<DesiredState>();
    parts.deals(chosen, parts.owners(), p -> results.add(new RuleEvaluator(rules).evaluate(p, NOW)));
    var evaluated = new TreeSet<String>();
    results.forEach(r -> evaluated.addAll(r.evaluatedDealIds()));
    assertThat(evaluated).isEqualTo(chosen);
    assertThat(flatten(results, DesiredState::flags)).isEqualTo(whole.flags().stream().filter(f -> chosen.contains(f.dealId())).toList());
    assertThat(flatten(results, DesiredState::forecasts))
        .isEqualTo(whole.forecasts().stream().filter(f -> chosen.contains(f.dealId())).toList());
    // deal subjects only: the tasks of the chosen deals' rules, none of a lead's or an account's
    var dealRules = rules.taskRuleIds(io.salesos.rules.SubjectKind.DEAL);
    assertThat(sortedTasks(flatten(results, DesiredState::tasks))).isEqualTo(sortedTasks(whole.tasks().stream()
        .filter(t -> dealRules.contains(t.ruleId()) && t.dealId().map(chosen::contains).orElse(false)).toList()));
  }

  private static void assertSameAsWhole(List<DesiredState> parts, String how) {
    var evaluated = new TreeSet<String>();
    int total = 0;
    for (var p : parts) {
      evaluated.addAll(p.evaluatedDealIds());
      total += p.evaluatedDealIds().size();
    }
    assertThat(total).as(how + ": each deal in one partition").isEqualTo(evaluated.size());
    assertThat(evaluated).as(how).isEqualTo(whole.evaluatedDealIds());
    var flags = new ArrayList<>(flatten(parts, DesiredState::flags));
    flags.sort(Comparator.comparing(DealFlags::dealId));
    assertThat(flags).as(how + ": flags").isEqualTo(whole.flags());
    var forecasts = new ArrayList<>(flatten(parts, DesiredState::forecasts));
    forecasts.sort(Comparator.comparing(AdjustedForecast::dealId));
    assertThat(forecasts).as(how + ": forecasts").isEqualTo(whole.forecasts());
    var tasks = flatten(parts, DesiredState::tasks);
    assertThat(tasks.stream().map(TaskToCreate::key).distinct().count()).as(how + ": each task concluded once").isEqualTo(tasks.size());
    assertThat(sortedTasks(tasks)).as(how + ": tasks").isEqualTo(sortedTasks(whole.tasks()));
    var hits = new TreeMap<String, Long>();
    parts.forEach(p -> p.ruleHits().forEach((k, v) -> hits.merge(k, v, Long::sum)));
    assertThat(hits).as(how + ": rule hits").isEqualTo(whole.ruleHits());
    var errors = new ArrayList<>(flatten(parts, DesiredState::ruleErrors));
    errors.sort(Comparator.comparing(RuleError::ruleId).thenComparing(RuleError::subject).thenComparing(RuleError::recordId));
    assertThat(errors).as(how + ": rule errors").isEqualTo(whole.ruleErrors());
    var kept = new TreeMap<String, Object>();
    parts.forEach(p -> kept.putAll(p.flagCodesKept()));
    assertThat(kept).as(how + ": flags kept").isEqualTo(new TreeMap<>(whole.flagCodesKept()));
    var undecided = new TreeSet<String>();
    parts.forEach(p -> undecided.addAll(p.forecastsUndecided()));
    assertThat(undecided).as(how + ": forecasts undecided").isEqualTo(whole.forecastsUndecided());
    assertThat(summed(parts)).as(how + ": forecast rollups").isEqualTo(rollupTable(whole.rollups()));
  }

  private static <T> List<T> flatten(List<DesiredState> parts, java.util.function.Function<DesiredState, List<T>> f) {
    return parts.stream().flatMap(p -> f.apply(p).stream()).toList();
  }

  private static List<TaskToCreate> sortedTasks(List<TaskToCreate> tasks) {
    return tasks.stream().sorted(Comparator.comparing(TaskToCreate::key)).toList();
  }

  /** Level|id -> called and adjusted per category, deals and downgraded, summed over the partitions. */
  private static Map<String, List<Object>> summed(List<DesiredState> parts) {
    var out = new TreeMap<String, List<Object>>();
    for (var p : parts) {
      rollupTable(p.rollups()).forEach((k, v) -> out.merge(k, v, PartitionedEvaluationTest::add));
    }
    return out;
  }

  private static Map<String, List<Object>> rollupTable(List<ForecastRollup> rollups) {
    var out = new TreeMap<String, List<Object>>();
    for (var r : rollups) {
      out.put(r.level() + "|" + r.id() + "|" + r.name(), List.of(new TreeMap<>(r.called()), new TreeMap<>(r.adjusted()),
          r.deals(), r.downgraded()));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> add(List<Object> a, List<Object> b) {
    var called = new TreeMap<>((Map<String, BigDecimal>) a.get(0));
    ((Map<String, BigDecimal>) b.get(0)).forEach((k, v) -> called.merge(k, v, BigDecimal::add));
    var adjusted = new TreeMap<>((Map<String, BigDecimal>) a.get(1));
    ((Map<String, BigDecimal>) b.get(1)).forEach((k, v) -> adjusted.merge(k, v, BigDecimal::add));
    return List.of(called, adjusted, (int) a.get(2) + (int) b.get(2), (int) a.get(3) + (int) b.get(3));
  }
}
