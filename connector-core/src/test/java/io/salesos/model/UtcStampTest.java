package io.salesos.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UtcStampTest {

  @Property
  void readsEveryZStampAsInstantParseDoes(@ForAll @LongRange(min = -30_000_000_000L, max = 200_000_000_000L) long seconds,
      @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
    var instant = Instant.ofEpochSecond(seconds, nanos);
    var text = instant.toString();
    assertThat(UtcStamp.parse(text)).contains(Instant.parse(text));
    var millis = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").format(instant.atOffset(java.time.ZoneOffset.UTC));
    assertThat(UtcStamp.parse(millis)).contains(OffsetDateTime.parse(millis, DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx")).toInstant());
  }

  @Test
  void leavesEveryOtherShapeToTheFullParser() {
    for (var s : new String[] {"2024-05-01T12:34:56+02:00", "2024-02-30T00:00:00Z", "2024-05-01T24:00:00Z",
        "2016-12-31T23:59:60Z", "2024-05-01T12:34Z", "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56.1234567890Z",
        "2024-05-01 12:34:56Z", "1714566896000", "", "x2024-05-01T12:34:56Z"}) {
      assertThat(UtcStamp.parse(s)).as(s).isEmpty();
    }
    assertThat(UtcStamp.parse("2024-05-01T12:34:56.5+00:00")).contains(Instant.parse("2024-05-01T12:34:56.500Z"));
    new Random(1).ints(1000).forEach(i -> UtcStamp.parse(Integer.toString(i)));
  }
}
