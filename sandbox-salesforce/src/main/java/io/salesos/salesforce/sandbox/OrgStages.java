package io.salesos.salesforce.sandbox;

import io.salesos.demo.DemoOrg;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The org's opportunity stages: the values of the Opportunity.StageName picklist with the settings
 * Setup keeps for each (sort order, default probability, forecast category, closed, won), served
 * as {@code OpportunityStage} rows and applied to every opportunity saved. The demo org's stages by
 * default; {@link #stock()} the stages a new Salesforce org ships with.
 */
final class OrgStages {

  /** One stage as OpportunityStage describes it; the API name equals the master label, as in a new org. */
  record StageDef(String label, int sortOrder, int probability, String forecastCategory, boolean closed, boolean won,
      boolean active) {}

  private final List<StageDef> stages;
  /** Active stages by lower-case name: every opportunity save looks its stage up. */
  private final java.util.Map<String, StageDef> byName = new java.util.HashMap<>();

  OrgStages(List<StageDef> stages) {
    this.stages = List.copyOf(stages);
    for (var s : this.stages) {
      if (s.active()) {
        byName.putIfAbsent(s.label().toLowerCase(Locale.ROOT), s);
      }
    }
  }

  List<StageDef> stages() {
    return stages;
  }

  /** The demo org's stages, with the forecast category a probability suggests. */
  static OrgStages demo() {
    return new OrgStages(java.util.Arrays.stream(DemoOrg.Stage.values())
        .map(s -> new StageDef(s.label(), s.ordinal() + 1, s.probability(), categoryOf(s.probability(), s.closed(), s.won()),
            s.closed(), s.won(), true)).toList());
  }

  /**
   * The stages of a Salesforce org as it ships, with their default probabilities and forecast
   * categories (Setup > Opportunity > Stage).
   */
  static OrgStages stock() {
    return new OrgStages(List.of(
        new StageDef("Prospecting", 1, 10, "Pipeline", false, false, true),
        new StageDef("Qualification", 2, 10, "Pipeline", false, false, true),
        new StageDef("Needs Analysis", 3, 20, "Pipeline", false, false, true),
        new StageDef("Value Proposition", 4, 50, "Pipeline", false, false, true),
        new StageDef("Id. Decision Makers", 5, 60, "Pipeline", false, false, true),
        new StageDef("Perception Analysis", 6, 70, "Pipeline", false, false, true),
        new StageDef("Proposal/Price Quote", 7, 75, "Pipeline", false, false, true),
        new StageDef("Negotiation/Review", 8, 90, "Pipeline", false, false, true),
        new StageDef("Closed Won", 9, 100, "Closed", true, true, true),
        new StageDef("Closed Lost", 10, 0, "Omitted", true, false, true)));
  }

  /**
   * The stock stage a demo deal stands in when the demo org is seeded into a stock org: the demo's
   * open stages in order onto stock open stages in order (Discovery onto Needs Analysis, Verbal
   * Commit onto Negotiation/Review), closed onto closed.
   */
  static String stockStageOf(DemoOrg.Stage stage) {
    return switch (stage) {
      case PROSPECTING -> "Prospecting";
      case QUALIFICATION -> "Qualification";
      case DISCOVERY -> "Needs Analysis";
      case PROPOSAL -> "Value Proposition";
      case NEGOTIATION -> "Proposal/Price Quote";
      case VERBAL_COMMIT -> "Negotiation/Review";
      case CLOSED_WON -> "Closed Won";
      case CLOSED_LOST -> "Closed Lost";
    };
  }

  /** The active stage with this name, ignoring case (StageName is a restricted picklist). */
  Optional<StageDef> byLabel(String label) {
    return Optional.ofNullable(byName.get(label.toLowerCase(Locale.ROOT)));
  }

  List<String> labels() {
    return stages.stream().filter(StageDef::active).map(StageDef::label).toList();
  }

  List<String> openLabels() {
    return stages.stream().filter(s -> s.active() && !s.closed()).map(StageDef::label).toList();
  }

  private static String categoryOf(int probability, boolean closed, boolean won) {
    if (closed) {
      return won ? "Closed" : "Omitted";
    }
    if (probability >= 90) {
      return "Commit";
    }
    return probability >= 60 ? "Best Case" : "Pipeline";
  }
}
