package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.Locale;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** money() and iso_week() write what String.format wrote before they stopped using it (task titles and keys depend on it). */
class RuleFunctionsFormatTest {

  @Property(tries = 300)
  void moneyGroupsDigitsAsFormatDid(@ForAll long n) {
    assertThat(RuleFunctions.grouped(n)).isEqualTo(String.format(Locale.ROOT, "%,d", n));
  }

  @Example
  void moneyGroupsTheEdges() {
    for (long n : new long[] {0, 7, -7, 999, -999, 1_000, -1_000, 12_345, 999_999, 1_000_000, -1_234_567, Long.MAX_VALUE,
        Long.MIN_VALUE}) {
      assertThat(RuleFunctions.grouped(n)).as("%d", n).isEqualTo(String.format(Locale.ROOT, "%,d", n));
    }
    assertThat(RuleFunctions.money(1_234_567.5)).isEqualTo("1,234,568");
  }

  @Property(tries = 300)
  void isoWeekIsWhatFormatWrote(@ForAll @LongRange(min = -2_000_000_000L, max = 8_000_000_000L) long epochSecond) {
    var t = Instant.ofEpochSecond(epochSecond);
    var d = LocalDate.ofInstant(t, ZoneOffset.UTC);
    assertThat(RuleFunctions.isoWeek(t)).isEqualTo(String.format(Locale.ROOT, "%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR),
        d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
  }
}
