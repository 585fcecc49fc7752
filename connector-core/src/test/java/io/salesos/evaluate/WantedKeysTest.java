package io.salesos.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.rules.Hashing;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class WantedKeysTest {

  @Test
  void aKeyAddedIsWantedAndTheKeysOfOtherSubjectsAreNot() {
    var wanted = new WantedKeys();
    for (int i = 0; i < 200_000; i += 2) {
      wanted.add(Hashing.sha256("sla.lead_untouched|contact|c" + i));
    }
    assertThat(wanted.size()).isEqualTo(100_000);
    int wrong = 0;
    for (int i = 0; i < 200_000; i++) {
      boolean added = i % 2 == 0;
      if (wanted.contains(Hashing.sha256("sla.lead_untouched|contact|c" + i)) != added) {
        wrong++;
      }
    }
    assertThat(wrong).isZero();
    wanted.add("late");
    assertThat(wanted.contains("late")).isTrue();
  }

  @Test
  void fingerprintsOfDistinctKeysDoNotCollideAtAMillion() {
    var seen = new HashSet<Long>();
    for (int i = 0; i < 1_000_000; i++) {
      seen.add(WantedKeys.fingerprint("key-" + i));
    }
    assertThat(seen).hasSize(1_000_000);
  }
}
