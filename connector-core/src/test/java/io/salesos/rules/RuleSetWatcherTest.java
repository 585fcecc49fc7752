package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetWatcherTest {

  private static final RuleSetLoader LOADER = new RuleSetLoader(RuleVocabulary.standard());

  private static void copyDefaults(Path dir) throws IOException {
    for (var e : TestRules.defaultFiles().entrySet()) {
      Files.writeString(dir.resolve(e.getKey()), e.getValue());
    }
  }

  @Test
  void aBrokenEditKeepsTheLastGoodRuleSetAndReportsWhere(@TempDir Path dir) throws IOException {
    copyDefaults(dir);
    try (var watcher = new RuleSetWatcher(dir, LOADER)) {
      assertThat(watcher.refresh()).isTrue();
      var good = watcher.current().orElseThrow();
      assertThat(watcher.refresh()).as("unchanged files are not reloaded").isFalse();

      var exit = dir.resolve(RuleSetLoader.EXIT_CRITERIA);
      Files.writeString(exit, Files.readString(exit).replace("deal.amount > 0", "deal.amuont > 0"));
      assertThat(watcher.refresh()).isFalse();

      assertThat(watcher.current()).containsSame(good);
      assertThat(watcher.problems()).singleElement()
          .satisfies(p -> assertThat(p.toString()).contains("exit-criteria.yaml:").contains("undefined field 'amuont'"));
    }
  }

  @Test
  void aFixedFileTakesEffectAndClearsTheProblems(@TempDir Path dir) throws IOException {
    copyDefaults(dir);
    var exit = dir.resolve(RuleSetLoader.EXIT_CRITERIA);
    var original = Files.readString(exit);
    Files.writeString(exit, original.replace("flag: NO_AMOUNT", "flag: no amount"));
    try (var watcher = new RuleSetWatcher(dir, LOADER)) {
      watcher.refresh();
      assertThat(watcher.current()).isEmpty();
      assertThat(watcher.problems()).isNotEmpty();

      Files.writeString(exit, original.replace("Enter the deal amount", "Please enter the deal amount"));
      assertThat(watcher.refresh()).isTrue();

      assertThat(watcher.problems()).isEmpty();
      assertThat(watcher.current()).isPresent();
      assertThat(watcher.current().get().fileHashes()).containsKey(RuleSetLoader.EXIT_CRITERIA);
      assertThat(watcher.current().get().version()).isNotEqualTo(TestRules.defaults().version());
    }
  }
}
