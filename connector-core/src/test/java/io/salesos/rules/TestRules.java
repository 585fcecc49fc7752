package io.salesos.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** The default rule files and small builders of deal contexts, shared by the rules tests. */
final class TestRules {

  static final Instant NOW = Instant.parse("2026-11-02T09:00:00Z");
  private static RuleSet defaults;

  private TestRules() {}

  /** The top-level rules/ folder (tests run from connector-core/). */
  static Path dir() {
    var p = Path.of("..", "rules");
    return Files.isDirectory(p) ? p : Path.of("rules");
  }

  static Map<String, String> defaultFiles() {
    var out = new TreeMap<String, String>();
    try (var list = Files.list(dir())) {
      for (var p : list.toList()) {
        if (p.getFileName().toString().endsWith(".yaml")) {
          out.put(p.getFileName().toString(), Files.readString(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static synchronized RuleSet defaults() {
    if (defaults == null) {
      defaults = load(defaultFiles());
    }
    return defaults;
  }

  static RuleSet load(Map<String, String> files) {
    var r = new RuleSetLoader(RuleVocabulary.standard()).load("rules", files);
    if (r instanceof LoadResult.Rejected rej) {
      throw new AssertionError("rules do not load: " + rej.problems());
    }
    return ((LoadResult.Loaded) r).ruleSet();
  }

  static Instant daysAgo(long days) {
    return NOW.minus(Duration.ofDays(days));
  }

  static LocalDate inDays(long days) {
    return LocalDate.ofInstant(NOW, ZoneOffset.UTC).plusDays(days);
  }

  static CrmRecord owner(String id, String managerId) {
    return CrmRecord.of(id, "name", "Rep " + id, "first_name", "Rep", "last_name", id, "manager_id", managerId);
  }

  static CrmRecord account(String id) {
    return CrmRecord.of(id, "name", "Account " + id, "owner_id", "U1", "lat", 41.9, "lng", -87.6,
        "visit_every_days", 30L, "tier", "Key");
  }

  static CrmRecord visit(String id, String accountId, long daysAgo, boolean checkedInOnSite) {
    return CrmRecord.of(id, "kind", "visit", "subject", "Visit", "owner_id", "U1", "account_id", accountId,
        "start_at", daysAgo(daysAgo), "status", "completed",
        "check_in_lat", checkedInOnSite ? 41.9001 : null, "check_in_lng", checkedInOnSite ? -87.6002 : null);
  }

  static CrmRecord contact(String id, String buyingRole) {
    return CrmRecord.of(id, "account_id", "A1", "first_name", "Pat", "last_name", "Lee", "buying_role", buyingRole,
        "lifecycle", "customer", "created_at", daysAgo(300));
  }

  /** Random deals over every stage and category, with and without visits, next steps, amounts. */
  static Arbitrary<DealContext> randomDeals() {
    var id = Arbitraries.strings().numeric().ofLength(6).map(s -> "D" + s);
    var stage = Arbitraries.of(RuleVocabulary.standard().stages());
    var category = Arbitraries.of(RuleVocabulary.standard().forecastCategories());
    var amount = Arbitraries.integers().between(-1, 400_000);
    var closeIn = Arbitraries.integers().between(-60, 200);
    var stageDays = Arbitraries.integers().between(0, 200);
    var visitDaysAgo = Arbitraries.integers().between(-1, 200);
    var onSite = Arbitraries.of(true, false);
    var nextStepIn = Arbitraries.integers().between(-20, 40).injectNull(0.3);
    return Combinators.combine(id, stage, category, amount, closeIn, stageDays, visitDaysAgo, onSite)
        .as((i, s, c, a, close, days, visit, site) -> {
          var b = new Deal(i).stage(s).category(c).amount(a < 0 ? null : a + ".00")
              .close(inDays(close)).daysInStage(days);
          if (visit >= 0) {
            b.lastVisit(visit, site);
          } else {
            b.lastVisit(400, false);
          }
          return b;
        })
        .flatMap(b -> nextStepIn.map(n -> (n == null ? b.nextStep(null, null) : b.nextStep("Call", inDays(n))).build()));
  }

  /** A builder of deals, by default one that meets every default exit criterion and Commit requirement. */
  static final class Deal {
    private final String id;
    private String stage = "Negotiation";
    private String category = "Commit";
    private BigDecimal amount = new BigDecimal("50000.00");
    private LocalDate close = inDays(20);
    private String nextStep = "Send the order form";
    private LocalDate nextStepDate = inDays(3);
    private String map = "https://example.test/map/1";
    private long stageDays = 10;
    private final List<DealContact> contacts = new ArrayList<>(List.of(
        new DealContact(contact("C1", "Economic Buyer"), "Economic Buyer", true)));
    private final List<CrmRecord> activities = new ArrayList<>();
    private String ownerId = "U1";
    private boolean visited = true;
    private BigDecimal original;
    private String currency;

    Deal(String id) {
      this.id = id;
    }

    Deal stage(String s) {
      stage = s;
      return this;
    }

    Deal category(String c) {
      category = c;
      return this;
    }

    Deal amount(String a) {
      amount = a == null ? null : new BigDecimal(a);
      return this;
    }

    /** The amount as the CRM gives it and its currency (deal.amount is then the converted one, or none). */
    Deal original(String a, String c) {
      original = new BigDecimal(a);
      currency = c;
      return this;
    }

    Deal close(LocalDate d) {
      close = d;
      return this;
    }

    Deal nextStep(String text, LocalDate date) {
      nextStep = text;
      nextStepDate = date;
      return this;
    }

    Deal map(String m) {
      map = m;
      return this;
    }

    Deal daysInStage(long d) {
      stageDays = d;
      return this;
    }

    Deal noContacts() {
      contacts.clear();
      return this;
    }

    Deal owner(String o) {
      ownerId = o;
      return this;
    }

    Deal lastVisit(long daysAgo, boolean onSite) {
      visited = false;
      activities.add(visit(id + "-V", "A" + id, daysAgo, onSite));
      return this;
    }

    Deal activity(CrmRecord a) {
      activities.add(a);
      return this;
    }

    DealContext build() {
      var acts = new ArrayList<>(activities);
      if (visited) {
        acts.add(visit(id + "-V", "A" + id, 5, true));
      }
      var deal = CrmRecord.of(id, "name", "Deal " + id, "account_id", "A" + id, "owner_id", ownerId, "stage", stage,
          "amount", amount, "close_date", close, "probability", new BigDecimal("80"), "forecast_category", category,
          "next_step", nextStep, "next_step_date", nextStepDate, "mutual_action_plan", map, "is_closed", false,
          "is_won", false, "stage_entered_at", daysAgo(stageDays), "created_at", daysAgo(stageDays + 60),
          "amount_original", original, "currency", currency);
      return new DealContext(deal, account("A" + id), contacts, acts, List.of(), TestRules.owner(ownerId, "M1"));
    }
  }
}
