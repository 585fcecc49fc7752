package io.salesos.pipeline;

import io.salesos.mapping.Mapping;
import io.salesos.model.CanonicalSchema;
import io.salesos.model.FieldType;
import io.salesos.outbox.AllowList;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleProblem;
import io.salesos.rules.RuleSet;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.RuleSetWatcher;
import io.salesos.rules.RuleVocabulary;
import io.salesos.rules.WritePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule set in force, the one place salesos loads {@code rules/}: watched and hot-reloaded as a
 * whole (a set that does not load keeps the last good one in force and reports its problems), with
 * the write policy and its allow-list taken from the same set, so narrowing {@code
 * write-policy.yaml} takes effect at the next push. The policy is the one part that may narrow on
 * its own: when an edit that does not load whole narrows {@code write-policy.yaml}, the tighter of
 * the old and the new policy applies until the whole set loads. With no good set at all there is
 * no allow-list, and nothing is pushed.
 */
public final class LiveRuleSet implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveRuleSet.class);

  private final Optional<RuleSetWatcher> watcher;
  private final Optional<Path> dir;
  private final AtomicReference<Optional<RuleSetLoader>> loader;
  private final Optional<RuleSet> fixed;
  private final Optional<AllowList> fixedAllowList;
  private final AtomicReference<Narrowing> narrowing = new AtomicReference<>();

  /** The policy narrowing the set in force, worked out once per version of the files on disk. */
  private record Narrowing(String fingerprint, Optional<WritePolicy> policy) {}

  private LiveRuleSet(Optional<RuleSetWatcher> watcher, Optional<Path> dir, Optional<RuleSetLoader> loader,
      Optional<RuleSet> fixed, Optional<AllowList> fixedAllowList) {
    this.watcher = watcher;
    this.dir = dir;
    this.loader = new AtomicReference<>(loader);
    this.fixed = fixed;
    this.fixedAllowList = fixedAllowList;
  }

  /** The rule files in {@code dir}, loaded now and again whenever they change on disk (see {@link #watchEvery}). */
  public static LiveRuleSet watching(Path dir, RuleVocabulary vocabulary) {
    var loader = new RuleSetLoader(vocabulary);
    var w = new RuleSetWatcher(dir, loader);
    w.refresh();
    return new LiveRuleSet(Optional.of(w), Optional.of(dir), Optional.of(loader), Optional.empty(), Optional.empty());
  }

  /** One rule set that never changes (a one-shot verb, a test). */
  public static LiveRuleSet of(RuleSet rules) {
    return new LiveRuleSet(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(rules), Optional.empty());
  }

  /**
   * No rules to evaluate, and pushes held to {@code allowList} alone: for a process that only
   * mirrors and drains writes it was given (the engine's tests, the sync benchmark).
   */
  public static LiveRuleSet pushOnly(AllowList allowList) {
    return new LiveRuleSet(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(allowList));
  }

  /** Polls the files every {@code interval} on a daemon thread. */
  public LiveRuleSet watchEvery(Duration interval) {
    watcher.ifPresent(w -> w.start(interval));
    return this;
  }

  /**
   * The vocabulary the rule files are checked against from now on (the stages of every connection,
   * as last read from the CRMs). When it differs from the one in use, the files are loaded again
   * under it; a set that does not load under the new vocabulary leaves no set in force (fail
   * closed), its problems reported. True if the vocabulary changed.
   */
  public boolean useVocabulary(RuleVocabulary vocabulary) {
    var w = watcher;
    if (w.isEmpty()) {
      return false;
    }
    synchronized (this) {
      var old = loader.get();
      if (old.isPresent() && old.get().vocabulary().equals(vocabulary)) {
        return false;
      }
      var fresh = new RuleSetLoader(vocabulary);
      loader.set(Optional.of(fresh));
      narrowing.set(null);
      w.get().reload(fresh);
      log.info("event=rule_vocabulary_changed open_stages={} closed_stages={} pipelines={}", vocabulary.openStages().size(),
          vocabulary.closedStages().size(), vocabulary.pipelineLabels());
      return true;
    }
  }

  /** The vocabulary the rule files are checked against now; empty for a fixed rule set. */
  public Optional<RuleVocabulary> vocabulary() {
    return loader.get().map(RuleSetLoader::vocabulary);
  }

  /** Reloads now if the files changed; true if a new set took effect. */
  public boolean refresh() {
    return watcher.map(RuleSetWatcher::refresh).orElse(false);
  }

  /**
   * The rule set in force: the last one that loaded as a whole, under the tighter write policy
   * while a newer edit that does not load whole narrows {@code write-policy.yaml}.
   */
  public Optional<RuleSet> current() {
    if (watcher.isEmpty()) {
      return fixed;
    }
    var status = watcher.get().status();
    if (status.current().isEmpty() || status.problems().isEmpty()) {
      return status.current();
    }
    var set = status.current().get();
    return Optional.of(narrowed(status.seenFingerprint(), set).map(set::withWritePolicy).orElse(set));
  }

  /** The tighter policy while the files on disk ({@code fingerprint}) do not load whole, if they narrow it. */
  private Optional<WritePolicy> narrowed(String fingerprint, RuleSet inForce) {
    var known = narrowing.get();
    if (known != null && known.fingerprint().equals(fingerprint)) {
      return known.policy();
    }
    var onDisk = loader.get().orElseThrow().loadWritePolicy(dir.orElseThrow());
    var tighter = onDisk.map(p -> inForce.writePolicy().tighter(p)).filter(p -> !p.equals(inForce.writePolicy()));
    tighter.ifPresent(p -> log.warn("event=write_policy_narrowed reason=\"write-policy.yaml narrows the policy in force while"
        + " another rule file does not load: the tighter policy applies until the whole set loads\" allow={} writes={}",
        p.allow(), p.decisions()));
    narrowing.set(new Narrowing(fingerprint, tighter));
    return tighter;
  }

  /** Problems of the latest load; empty when the files on disk are the set in force. */
  public List<RuleProblem> problems() {
    return watcher.map(RuleSetWatcher::problems).orElse(List.of());
  }

  /**
   * The allow-list of the set in force ({@code write-policy.yaml}), which every push is held to;
   * empty while no set is in force, and then nothing is pushed.
   */
  public Optional<AllowList> allowList() {
    if (fixedAllowList.isPresent()) {
      return fixedAllowList;
    }
    return current().map(LiveRuleSet::allowListOf);
  }

  static AllowList allowListOf(RuleSet rules) {
    return AllowList.of(rules.writePolicy());
  }

  /**
   * The standard stages and categories, plus every custom canonical field the mappings add, so
   * rules may use them and a typo in one is caught.
   */
  public static RuleVocabulary vocabulary(List<Mapping> mappings) {
    var standard = RuleVocabulary.standard();
    var custom = new HashMap<String, Map<String, FieldType>>();
    for (var m : mappings) {
      m.columns().forEach((object, cols) -> cols.forEach((field, type) -> {
        if (CanonicalSchema.standardType(object, field).isEmpty()) {
          custom.computeIfAbsent(object, k -> new HashMap<>()).put(field, type);
        }
      }));
    }
    return standard.withCustomFields(custom);
  }

  /**
   * As {@link #vocabulary(List)}, with the stages last mirrored for {@code connections} (by name) in
   * place of the standard ones, and the relations to the org's own objects as the mirror holds them:
   * what an offline verb checks rule files against. A connection with no stages mirrored yet counts
   * with the standard stages.
   */
  public static RuleVocabulary mirroredVocabulary(io.salesos.mirror.Database database, List<String> connections,
      List<Mapping> mappings) {
    var names = java.util.Set.copyOf(connections);
    var relations = new io.salesos.mirror.CustomTables(database, java.time.Clock.systemUTC()).relations(Optional.empty()).stream()
        .filter(r -> names.contains(r.source())).toList();
    return StageVocabularies.union(connections, new io.salesos.mirror.StageVocabularyStore(database, java.time.Clock.systemUTC()),
        vocabulary(mappings).customFields()).withRelations(vocabulary(mappings, relations).relations());
  }

  /**
   * As {@link #vocabulary(List)}, plus the relations to an org's own objects as the mirror holds
   * them ({@code account.site_visits}), typed by their tables' columns (which follow the CRM's
   * describe). Two connections declaring one relation name share it, with the fields of both.
   */
  public static RuleVocabulary vocabulary(List<Mapping> mappings, List<io.salesos.mirror.CustomTables.StoredRelation> relations) {
    var relationTypes = new java.util.LinkedHashMap<String, Map<String, Map<String, FieldType>>>();
    for (var r : relations) {
      var fields = relationTypes.computeIfAbsent(r.parent(), k -> new java.util.LinkedHashMap<>())
          .computeIfAbsent(r.name(), k -> new java.util.LinkedHashMap<>());
      r.columns().forEach(fields::putIfAbsent);
    }
    return vocabulary(mappings).withRelations(relationTypes);
  }

  /**
   * The rule set in {@code dir} once, for a verb that reads the mirror offline (audits) or a test,
   * or an error listing every problem as FILE:LINE:COL: message.
   */
  public static RuleSet load(Path dir, RuleVocabulary vocabulary) {
    var result = new RuleSetLoader(vocabulary).load(dir);
    if (result instanceof LoadResult.Loaded loaded) {
      return loaded.ruleSet();
    }
    var problems = ((LoadResult.Rejected) result).problems();
    var sb = new StringBuilder("the rule files in " + dir + " have " + problems.size() + " problem(s):");
    problems.forEach(p -> sb.append("\n  ").append(p));
    throw new IllegalArgumentException(sb.toString());
  }

  @Override
  public void close() {
    watcher.ifPresent(RuleSetWatcher::close);
  }
}
