package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.spi.StageVocabulary;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The exit-criteria and forecast rules judge a deal by where it stands, not by what the org calls
 * its stages: renaming every stage (names with spaces, slashes and dots) changes no verdict, for the
 * shipped rules on the demo stages and for the stock rules on random vocabularies (any number of
 * stages, any probabilities).
 */
class StageRenamingPropertiesTest {

  /** A verdict on one deal: its flag codes, the codes kept undecided, and the category the evidence supports. */
  record Verdict(TreeSet<String> flags, TreeSet<String> kept, String supported, boolean forecastUndecided) {}

  @Property(tries = 25)
  void theShippedRulesGiveTheSameVerdictsOnTheDemoStagesRenamed(@ForAll("renamings") List<String> names,
      @ForAll @Size(min = 1, max = 20) List<@From("demoDeals") DealContext> deals) {
    var standard = RuleVocabulary.standard();
    var renaming = new LinkedHashMap<String, String>();
    for (int i = 0; i < standard.stages().size(); i++) {
      renaming.put(standard.stages().get(i), names.get(i));
    }
    var renamed = new RuleVocabulary(standard.openStages().stream().map(renaming::get).toList(),
        standard.closedStages().stream().map(renaming::get).toList(), standard.forecastCategories(), Map.of());
    var files = shipped("exit-criteria.yaml", "forecast.yaml", "write-policy.yaml");
    var renamedFiles = new TreeMap<String, String>();
    files.forEach((name, text) -> renamedFiles.put(name, rename(text, renaming)));

    var before = verdicts(load(standard, files), deals);
    var after = verdicts(load(renamed, renamedFiles), deals.stream()
        .map(d -> withDeal(d, d.deal().with("stage", renaming.get(d.deal().string("stage").orElseThrow())))).toList());

    assertThat(after).isEqualTo(before);
  }

  @Property(tries = 25)
  void theStockRulesGiveTheSameVerdictsOnAnyVocabularyRenamed(@ForAll("vocabularies") StageVocabulary vocabulary,
      @ForAll("renamings") List<String> names, @ForAll @Size(min = 1, max = 20) List<@From("demoDeals") DealContext> deals,
      @ForAll @Size(min = 20, max = 20) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 1000) Integer> picks) {
    var stages = vocabulary.pipelines().get(0).stages();
    var renamedStages = new ArrayList<StageVocabulary.Stage>();
    for (int i = 0; i < stages.size(); i++) {
      var s = stages.get(i);
      // the renamed stage keeps its id: a CRM renames a stage's label, deals keep pointing at it
      renamedStages.add(new StageVocabulary.Stage(s.id(), names.get(i), s.order(), s.probability(), s.forecastCategory(),
          s.closed(), s.won(), s.active()));
    }
    var renamed = new StageVocabulary(List.of(new StageVocabulary.Pipeline("p", "Pipeline P", renamedStages)));
    var placed = new ArrayList<DealContext>();
    for (int i = 0; i < deals.size(); i++) {
      var d = deals.get(i);
      placed.add(withDeal(d, d.deal().with("stage", stages.get(picks.get(i) % stages.size()).id()).with("pipeline", "p")));
    }
    var stock = TestRules.dir().resolve("stock");
    var before = verdicts(loadDir(RuleVocabulary.of(List.of(vocabulary), Map.of()), stock),
        placed.stream().map(d -> withDeal(d, new StageFacts(vocabulary).deal(d.deal()))).toList());
    var after = verdicts(loadDir(RuleVocabulary.of(List.of(renamed), Map.of()), stock),
        placed.stream().map(d -> withDeal(d, new StageFacts(renamed).deal(d.deal()))).toList());

    assertThat(after).isEqualTo(before);
    // the stock criteria read deal.stage_order: each deal must have been placed, or they would only error
    assertThat(before.values()).allSatisfy(v -> assertThat(v.kept()).doesNotContain("NO_AMOUNT", "CLOSE_DATE_PAST"));
  }

  @Provide
  Arbitrary<DealContext> demoDeals() {
    return TestRules.randomDeals();
  }

  /** Twelve distinct stage names: letters, spaces, slashes and dots, starting and ending with a letter. */
  @Provide
  Arbitrary<List<String>> renamings() {
    var inner = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ/.").ofMaxLength(18);
    var letter = Arbitraries.chars().range('A', 'Z');
    var end = Arbitraries.chars().range('a', 'z');
    var name = Combinators.combine(letter, inner, end).as((a, b, c) -> a + b + c)
        .filter(n -> !n.contains("  "));
    return name.list().ofSize(12).uniqueElements(n -> n.toLowerCase());
  }

  /** One pipeline of 1 to 12 open stages with non-decreasing probabilities, then a won and a lost stage. */
  @Provide
  Arbitrary<StageVocabulary> vocabularies() {
    var probabilities = Arbitraries.integers().between(0, 100).list().ofMinSize(1).ofMaxSize(10);
    return probabilities.map(ps -> {
      var sorted = ps.stream().sorted().toList();
      var stages = new ArrayList<StageVocabulary.Stage>();
      for (int i = 0; i < sorted.size(); i++) {
        stages.add(new StageVocabulary.Stage("s" + i, "Stage " + i, i, Optional.of(BigDecimal.valueOf(sorted.get(i))),
            Optional.empty(), false, false, true));
      }
      stages.add(new StageVocabulary.Stage("won", "Won", sorted.size(), Optional.of(BigDecimal.valueOf(100)), Optional.empty(),
          true, true, true));
      stages.add(new StageVocabulary.Stage("lost", "Lost", sorted.size() + 1, Optional.of(BigDecimal.ZERO), Optional.empty(),
          true, false, true));
      return new StageVocabulary(List.of(new StageVocabulary.Pipeline("p", "Pipeline P", stages)));
    });
  }

  // ---- helpers

  static String rename(String text, Map<String, String> renaming) {
    var alternatives = renaming.keySet().stream().sorted((a, b) -> b.length() - a.length()).map(Pattern::quote).toList();
    var m = Pattern.compile("\\b(" + String.join("|", alternatives) + ")\\b").matcher(text);
    var out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(renaming.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  static Map<String, String> shipped(String... names) {
    var all = TestRules.defaultFiles();
    var out = new TreeMap<String, String>();
    for (var n : names) {
      out.put(n, all.get(n));
    }
    return out;
  }

  static RuleSet load(RuleVocabulary vocabulary, Map<String, String> files) {
    var r = new RuleSetLoader(vocabulary).load("rules", files);
    if (r instanceof LoadResult.Rejected rej) {
      throw new AssertionError("rules do not load: " + rej.problems());
    }
    return ((LoadResult.Loaded) r).ruleSet();
  }

  static RuleSet loadDir(RuleVocabulary vocabulary, java.nio.file.Path dir) {
    var r = new RuleSetLoader(vocabulary).load(dir);
    if (r instanceof LoadResult.Rejected rej) {
      throw new AssertionError("rules do not load: " + rej.problems());
    }
    return ((LoadResult.Loaded) r).ruleSet();
  }

  static DealContext withDeal(DealContext d, CrmRecord deal) {
    return new DealContext(deal, d.account(), d.contacts(), d.activities(), d.stageHistory(), d.owner());
  }

  static Map<String, Verdict> verdicts(RuleSet rules, List<DealContext> deals) {
    var unique = new LinkedHashMap<String, DealContext>();
    deals.forEach(d -> unique.putIfAbsent(d.id(), d));
    var owners = List.of(TestRules.owner("U1", "M1"), CrmRecord.of("M1", "name", "Manager"));
    var desired = new RuleEvaluator(rules).evaluate(InMemoryContextSource.ofDeals(List.copyOf(unique.values()), owners),
        TestRules.NOW);
    var out = new TreeMap<String, Verdict>();
    for (var id : unique.keySet()) {
      var flags = new TreeSet<String>();
      desired.flags().stream().filter(f -> f.dealId().equals(id)).forEach(f -> f.flags().forEach(x -> flags.add(x.code())));
      var kept = new TreeSet<>(desired.flagCodesKept().getOrDefault(id, new TreeSet<>()));
      var supported = desired.forecasts().stream().filter(f -> f.dealId().equals(id)).map(AdjustedForecast::supportedCategory)
          .findFirst().orElse("-");
      out.put(id, new Verdict(flags, kept, supported, desired.forecastsUndecided().contains(id)));
    }
    assertThat(new HashSet<>(out.keySet())).isEqualTo(unique.keySet());
    return out;
  }
}
