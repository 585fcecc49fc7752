package io.salesos.hubspot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PropertyDefIsoTest {

  private static final DateTimeFormatter FORMATTER =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void writesWhatTheFormatterWrites() {
    var random = new Random(20261203L);
    for (int i = 0; i < 20_000; i++) {
      // 1900 to 10100: across both edges of the hand-written range
      long secs = -2_208_988_800L + (long) (random.nextDouble() * 320_000_000_000L);
      var t = Instant.ofEpochSecond(secs, random.nextInt(1_000_000_000));
      assertThat(PropertyDef.iso(t)).as("%s", t).isEqualTo(FORMATTER.format(t));
    }
    for (var t : new Instant[] {Instant.EPOCH, Instant.ofEpochMilli(-1), Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("2026-12-03T19:35:00Z"), Instant.ofEpochSecond(0, 999_999)}) {
      assertThat(PropertyDef.iso(t)).as("%s", t).isEqualTo(FORMATTER.format(t));
    }
  }
}
