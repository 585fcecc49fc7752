package io.salesos.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of a rule directory: polls the files' hashes and swaps to a new rule set only when
 * it loads cleanly; otherwise it keeps the last good rule set and exposes the current problems
 * for the status page. Polling (not WatchService) because editors replace files in ways
 * WatchService reports unreliably, and one directory listing every few seconds is cheap.
 */
public final class RuleSetWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RuleSetWatcher.class);

  /** What the watcher holds now: the rule set in force (if any loaded yet) and the latest problems. */
  public record Status(Optional<RuleSet> current, List<RuleProblem> problems, String seenFingerprint) {
    public Status {
      problems = List.copyOf(problems);
    }
  }

  private final Path dir;
  private RuleSetLoader loader;
  private final AtomicReference<Status> status =
      new AtomicReference<>(new Status(Optional.empty(), List.of(), ""));
  private ScheduledExecutorService scheduler;

  public RuleSetWatcher(Path dir, RuleSetLoader loader) {
    this.dir = dir;
    this.loader = loader;
  }

  /** Loads now if the files changed since the last look; returns true if a new rule set took effect. */
  public synchronized boolean refresh() {
    var fingerprint = fingerprint();
    var before = status.get();
    if (fingerprint.equals(before.seenFingerprint())) {
      return false;
    }
    var result = loader.load(dir);
    if (result instanceof LoadResult.Loaded l) {
      status.set(new Status(Optional.of(l.ruleSet()), List.of(), fingerprint));
      LOG.info("event=rules_loaded dir={} version={}", dir, l.ruleSet().version());
      return true;
    }
    var problems = ((LoadResult.Rejected) result).problems();
    status.set(new Status(before.current(), problems, fingerprint));
    LOG.warn("event=rules_rejected dir={} problems={} first=\"{}\" keeping={}", dir, problems.size(),
        problems.isEmpty() ? "" : problems.get(0), before.current().map(RuleSet::version).orElse("none"));
    return false;
  }

  /**
   * Loads the files again under {@code newLoader} (a new vocabulary: the CRM's stages changed). The
   * set in force was checked against the old vocabulary only, so when the files do not load under
   * the new one no set stays in force (nothing is evaluated or pushed) until they do.
   */
  public synchronized boolean reload(RuleSetLoader newLoader) {
    this.loader = newLoader;
    var fingerprint = fingerprint();
    var result = loader.load(dir);
    if (result instanceof LoadResult.Loaded l) {
      status.set(new Status(Optional.of(l.ruleSet()), List.of(), fingerprint));
      LOG.info("event=rules_loaded dir={} version={} reason=vocabulary_changed", dir, l.ruleSet().version());
      return true;
    }
    var problems = ((LoadResult.Rejected) result).problems();
    status.set(new Status(Optional.empty(), problems, fingerprint));
    LOG.warn("event=rules_rejected dir={} reason=vocabulary_changed problems={} first=\"{}\" keeping=none", dir,
        problems.size(), problems.isEmpty() ? "" : problems.get(0));
    return false;
  }

  /** The rule set in force: the last one that loaded cleanly. */
  public Optional<RuleSet> current() {
    return status.get().current();
  }

  /** Problems of the latest attempt; empty when the files on disk are the rule set in force. */
  public List<RuleProblem> problems() {
    return status.get().problems();
  }

  public Status status() {
    return status.get();
  }

  /** Starts polling every {@code interval} on a daemon thread (after an immediate first load). */
  public synchronized void start(Duration interval) {
    refresh();
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "rules-watcher");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        refresh();
      } catch (RuntimeException e) {
        LOG.warn("event=rules_refresh_failed dir={} error=\"{}\"", dir, e.toString());
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  private String fingerprint() {
    var parts = new TreeMap<String, String>();
    try (var list = Files.list(dir)) {
      for (var p : list.toList()) {
        var name = p.getFileName().toString();
        if (Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
          parts.put(name, Hashing.sha256(Files.readAllBytes(p)));
        }
      }
    } catch (IOException e) {
      return "unreadable:" + e.getMessage();
    }
    return parts.toString();
  }
}
