package io.salesos.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.config.ConfigException;
import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.evaluate.MirrorContextSource;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.CustomTables;
import io.salesos.mirror.Database;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.TaskToCreate;
import io.salesos.spi.CrmSchema;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An org's own object mapped by an admin: its own typed table from describe, migrated types, and rules reading it. */
class CustomObjectsTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: Account
          canonical: account
          fields:
            Name: name
            OwnerId: owner_id
      custom_objects:
        - crm_object: Site_Visit__c
          table: site_visit
          fields:
            Account__c: account_id
            Visited_On__c: visited_on
            Outcome__c: outcome
            Minutes__c: minutes
          relation:
            name: site_visits
            from: account
            key: account_id
      """;

  static final Instant NOW = Instant.parse("2026-11-02T09:00:00Z");

  Database db;
  MemoryCrm crm;
  SyncEngine sync;
  CrmConnection connection;

  @BeforeEach
  void setUp() {
    db = TestDatabases.fresh();
    crm = new MemoryCrm("mem");
    crm.describeAs(schema("date", "string", "integer"));
    connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), false);
    sync = new SyncEngine(db, List.of(connection), new SyncEngine.PullSettings(100, 100, 1), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  static CrmSchema schema(String visitedOn, String outcome, String minutes) {
    return new CrmSchema(List.of(
        new CrmSchema.CrmObject("Account", "Account", List.of(field("Name", "string"), field("OwnerId", "id"))),
        new CrmSchema.CrmObject("Site_Visit__c", "Site Visit", List.of(field("Id", "id"), field("Account__c", "id"),
            field("Visited_On__c", visitedOn), field("Outcome__c", outcome), field("Minutes__c", minutes),
            field("Not_Mapped__c", "string")))));
  }

  static CrmSchema.CrmField field(String name, String type) {
    return new CrmSchema.CrmField(name, name, type, true, false, name.endsWith("__c"));
  }

  void seed() {
    crm.save("Account", List.of(Map.of("id", "A1", "Name", "Visited lately", "OwnerId", "U1"),
        Map.of("id", "A2", "Name", "Visited long ago", "OwnerId", "U1"), Map.of("id", "A3", "Name", "Never visited", "OwnerId", "U1")));
    crm.save("Site_Visit__c", List.of(
        Map.of("id", "V1", "Account__c", "A1", "Visited_On__c", "2026-10-28", "Outcome__c", "Met buyer", "Minutes__c", "45"),
        Map.of("id", "V2", "Account__c", "A2", "Visited_On__c", "2026-06-01", "Outcome__c", "Dropped samples", "Minutes__c", "10"),
        Map.of("id", "V3", "Account__c", "A2", "Visited_On__c", "2026-05-02", "Outcome__c", "Intro", "Minutes__c", "30")));
  }

  Map<String, String> columnTypes(String table) throws SQLException {
    var out = new TreeMap<String, String>();
    try (var c = db.connection(); var ps = c.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS"
        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      ps.setString(1, table);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2).toLowerCase());
        }
      }
    }
    return out;
  }

  static final String RULE = """

        - id: visits.no_recent_site_visit
          for: account
          when: >-
            size(account.site_visits) > 0
            && !account.site_visits.exists(v, v.visited_on > add_days(now, -30) && v.minutes >= 30)
          task:
            subject: "Visit {{account.name}}: {{size(account.site_visits)}} old site visits, first {{account.site_visits[0].outcome}}"
            due: add_days(now, 2)
      """;

  static Map<String, String> ruleFiles(String extraRule) {
    return io.salesos.testing.RuleFiles.shippedWith("follow-up.yaml", extraRule);
  }

  @Test
  void aMappedCustomObjectLandsInItsOwnTypedTableAndARuleReadsItThroughItsRelation() throws Exception {
    seed();
    sync.pullAll(Optional.empty());

    var columns = columnTypes("custom_site_visit");
    assertThat(columns).containsEntry("visited_on", "date").containsEntry("minutes", "bigint(20)")
        .containsEntry("outcome", "varchar(255)").containsEntry("account_id", "varchar(64)")
        .doesNotContainKey("not_mapped");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT id, visited_on, minutes FROM custom_site_visit WHERE source = 'mem' ORDER BY id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("V1");
      assertThat(rs.getObject(2, LocalDate.class)).isEqualTo(LocalDate.of(2026, 10, 28));
      assertThat(rs.getLong(3)).isEqualTo(45);
    }

    var relations = new CustomTables(db, Clock.systemUTC()).relations(Optional.of("mem"));
    var vocabulary = LiveRuleSet.vocabulary(List.of(connection.mapping()), relations);
    assertThat(vocabulary.relations().get("account").get("site_visits")).containsKeys("visited_on", "minutes", "outcome");
    var loaded = new RuleSetLoader(vocabulary).load("rules", ruleFiles(RULE));
    assertThat(loaded).as(loaded.toString()).isInstanceOf(LoadResult.Loaded.class);
    var desired = new RuleEvaluator(((LoadResult.Loaded) loaded).ruleSet())
        .evaluate(new MirrorContextSource(db, "mem", NOW), NOW);
    var tasks = desired.tasks().stream().filter(t -> t.ruleId().equals("visits.no_recent_site_visit")).toList();
    // A1 was visited 5 days ago for 45 minutes; A3 has no visit at all; A2's visits are months old
    assertThat(tasks).extracting(TaskToCreate::accountId).containsExactly(Optional.of("A2"));
    assertThat(tasks.get(0).subject()).isEqualTo("Visit Visited long ago: 2 old site visits, first Dropped samples");
    assertThat(desired.ruleErrors()).isEmpty();
  }

  @Test
  void aTypoInARelationFieldIsAFileLineColumnError() throws Exception {
    seed();
    sync.pullAll(Optional.empty());
    var vocabulary = LiveRuleSet.vocabulary(List.of(connection.mapping()),
        new CustomTables(db, Clock.systemUTC()).relations(Optional.of("mem")));
    var result = new RuleSetLoader(vocabulary).load("rules", ruleFiles(RULE.replace("v.minutes >= 30", "v.minuts >= 30")));
    assertThat(result).isInstanceOf(LoadResult.Rejected.class);
    var problems = ((LoadResult.Rejected) result).problems();
    assertThat(problems).anySatisfy(p -> {
      assertThat(p.file()).endsWith("follow-up.yaml");
      assertThat(p.line()).isGreaterThan(1);
      assertThat(p.message()).contains("minuts");
    });
  }

  @Test
  void aTypeChangeSeenInDescribeIsMigratedByARecordedAlterTable() throws Exception {
    seed();
    sync.pullAll(Optional.empty());
    assertThat(columnTypes("custom_site_visit")).containsEntry("minutes", "bigint(20)");

    // the admin turns Minutes__c into a number with decimals and Outcome__c into a long text area
    crm.describeAs(schema("date", "text", "decimal"));
    var resolved = sync.describeCustomObjects(Optional.of("mem")).get("mem");
    assertThat(resolved.problems()).isEmpty();

    assertThat(columnTypes("custom_site_visit")).containsEntry("minutes", "decimal(18,2)").containsEntry("outcome", "text");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT minutes FROM custom_site_visit WHERE id = 'V1'")) {
      rs.next();
      assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("45");
    }
    var log = new CustomTables(db, Clock.systemUTC()).migrations(10);
    assertThat(log).extracting(CustomTables.Migration::column, CustomTables.Migration::fromType, CustomTables.Migration::toType,
        CustomTables.Migration::outcome).contains(
            org.assertj.core.groups.Tuple.tuple("minutes", "integer", "decimal", "applied"),
            org.assertj.core.groups.Tuple.tuple("outcome", "string", "text", "applied"));
    assertThat(log.get(0).statement()).hasValueSatisfying(s -> assertThat(s).startsWith("ALTER TABLE `custom_site_visit` MODIFY COLUMN"));

    // new values of the new type land
    crm.save("Site_Visit__c", List.of(Map.of("id", "V4", "Account__c", "A3", "Visited_On__c", "2026-11-01", "Outcome__c", "x".repeat(400),
        "Minutes__c", "12.5")));
    sync.pullAll(Optional.empty());
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT minutes, CHAR_LENGTH(outcome) FROM custom_site_visit WHERE id = 'V4'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("12.5");
      assertThat(rs.getInt(2)).isEqualTo(400);
    }
  }

  @Test
  void aTypeChangeThatWouldLoseDataIsRefusedAndTheTableStaysAsItWas() throws Exception {
    seed();
    sync.pullAll(Optional.empty());

    // Outcome__c becomes a date field: "Met buyer" is no date
    crm.describeAs(schema("date", "date", "integer"));
    var resolved = sync.describeCustomObjects(Optional.of("mem")).get("mem");

    assertThat(resolved.pullable()).isEmpty();
    assertThat(resolved.problems().get("Site_Visit__c")).contains("refused to change custom_site_visit.outcome from string to date")
        .contains("3 of 3 value(s) would not survive");
    assertThat(columnTypes("custom_site_visit")).containsEntry("outcome", "varchar(255)");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM custom_site_visit WHERE outcome IS NOT NULL")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(3);
    }
    var log = new CustomTables(db, Clock.systemUTC()).migrations(10);
    assertThat(log.get(0).outcome()).isEqualTo("refused");
    assertThat(log.get(0).rowsLost()).isEqualTo(3);
    // the same refusal seen again is logged once, and the object is left out of pulls with its reason
    sync.describeCustomObjects(Optional.of("mem"));
    assertThat(new CustomTables(db, Clock.systemUTC()).migrations(10)).hasSize(1);
    var stats = sync.pullAll(Optional.empty());
    assertThat(stats).extracting(Puller.PullStats::crmObject).doesNotContain("Site_Visit__c");
  }

  @Test
  void aChangeWhoseValuesAllSurviveIsAppliedEvenFromTextToDate() throws Exception {
    crm.describeAs(schema("string", "string", "integer"));
    seed();
    sync.pullAll(Optional.empty());
    assertThat(columnTypes("custom_site_visit")).containsEntry("visited_on", "varchar(255)");
    crm.describeAs(schema("date", "string", "integer"));
    assertThat(sync.describeCustomObjects(Optional.of("mem")).get("mem").problems()).isEmpty();
    assertThat(columnTypes("custom_site_visit")).containsEntry("visited_on", "date");
  }

  @Test
  void aRelationKeyThatIsNotAColumnIsRejectedWithItsLine() {
    var bad = MAPPING.replace("key: account_id", "key: acount_id");
    assertThatThrownBy(() -> Mapping.from(YamlNode.parse("memory.yaml", bad)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("memory.yaml:").hasMessageContaining("acount_id");
  }

  @Test
  void aFieldTheCrmDoesNotDescribeLeavesTheObjectOutWithAClearReason() {
    crm.describeAs(new CrmSchema(List.of(new CrmSchema.CrmObject("Site_Visit__c", "Site Visit",
        List.of(field("Account__c", "id"), field("Visited_On__c", "date"), field("Outcome__c", "string"))))));
    var resolved = sync.describeCustomObjects(Optional.of("mem")).get("mem");
    assertThat(resolved.problems().get("Site_Visit__c")).contains("has no field Minutes__c");
    assertThat(new HashMap<>(resolved.problems())).hasSize(1);
  }
}
