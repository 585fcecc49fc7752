package io.salesos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.connection.CrmConnection;
import io.salesos.evaluate.MirrorContextSource;
import io.salesos.mirror.CustomTables;
import io.salesos.mirror.Database;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.TaskToCreate;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The CRM-neutral half of the connectors' custom-object tests: a custom "site visit" object mirrored
 * into {@code custom_site_visit} and read by a rule through {@code account.site_visits}, whichever
 * CRM defined it.
 */
public final class SiteVisits {

  /** Asks a task for each account whose site visits are all older than 30 days or shorter than 30 minutes. */
  public static final String STALE_SITE_VISIT_RULE = """

        - id: visits.stale_site_visit
          for: account
          when: >-
            size(account.site_visits) > 0
            && !account.site_visits.exists(v, v.visited_on > add_days(now, -30) && v.minutes >= 30.0)
          task:
            subject: "Visit {{account.name}} again: {{account.site_visits[0].outcome}}"
            due: add_days(now, 2)
      """;

  private SiteVisits() {}

  /**
   * The shipped rules plus {@link #STALE_SITE_VISIT_RULE}, loaded against the vocabulary of
   * {@code connection}'s mapping and the mirrored custom tables (a rule naming a relation the mirror
   * lacks would not load), evaluated over {@code source}'s mirror at {@code now}: the tasks that rule asks for.
   */
  public static List<TaskToCreate> staleSiteVisitTasks(Database db, CrmConnection connection, Clock clock, String source,
      Instant now) {
    var vocabulary = LiveRuleSet.vocabulary(List.of(connection.mapping()), new CustomTables(db, clock).relations(Optional.empty()));
    var loaded = new RuleSetLoader(vocabulary).load("rules", RuleFiles.shippedWith("follow-up.yaml", STALE_SITE_VISIT_RULE));
    assertThat(loaded).as(loaded.toString()).isInstanceOf(LoadResult.Loaded.class);
    var desired = new RuleEvaluator(((LoadResult.Loaded) loaded).ruleSet()).evaluate(new MirrorContextSource(db, source, now), now);
    return desired.tasks().stream().filter(t -> t.ruleId().equals("visits.stale_site_visit")).toList();
  }

  /** The columns of {@code custom_site_visit} and their types, lower case. */
  public static Map<String, String> columnTypes(Database db) throws SQLException {
    var out = new TreeMap<String, String>();
    try (var c = db.connection(); var ps = c.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS"
        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'custom_site_visit'")) {
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2).toLowerCase());
        }
      }
    }
    return out;
  }
}
