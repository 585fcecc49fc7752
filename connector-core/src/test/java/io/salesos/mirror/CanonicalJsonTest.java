package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

  /** A deal as the mirror holds it; its hash is stored in existing mirrors' rows, so it must never change. */
  private static Map<String, Object> fixedRecord() {
    var values = new LinkedHashMap<String, Object>();
    values.put("name", "Acme \"renewal\" – 2025\n\u0001");
    values.put("amount", new BigDecimal("12500.50"));
    values.put("close_date", LocalDate.of(2025, 3, 31));
    values.put("modified_at", Instant.parse("2025-01-02T03:04:05.678Z"));
    values.put("stage", "closedwon");
    values.put("probability", 0.9);
    values.put("seats", 40L);
    values.put("is_closed", true);
    values.put("owner_id", null);
    values.put("Zeta", "upper case sorts first");
    values.put("tags", List.of("b", "a"));
    values.put("nested", Map.of("y", 1, "x", "2"));
    return values;
  }

  @Test
  void hashOfAFixedRecordStaysWhatExistingMirrorsStored() {
    assertThat(CanonicalJson.write(fixedRecord())).isEqualTo(
        "{\"Zeta\":\"upper case sorts first\",\"amount\":\"12500.50\",\"close_date\":\"2025-03-31\","
            + "\"is_closed\":true,\"modified_at\":\"2025-01-02T03:04:05.678Z\",\"name\":\"Acme \\\"renewal\\\" – 2025\\n\\u0001\","
            + "\"nested\":{\"x\":\"2\",\"y\":1},\"owner_id\":null,\"probability\":0.9,\"seats\":40,"
            + "\"stage\":\"closedwon\",\"tags\":[\"b\",\"a\"]}");
    assertThat(CanonicalJson.hash(fixedRecord())).isEqualTo(PINNED_HASH)
        .isEqualTo(CanonicalJson.hashOfJson(treeMapWrite(fixedRecord())));
  }

  static final String PINNED_HASH = "93c0d2293dcb2abeddb7f418b6a6fede1d949b8a21af83ac4ca664610174d7f0";

  @Test
  void doublesAreWrittenAsTheMapperWritesThem() {
    // the edges a random double rarely hits: the non-finite ones Jackson quotes, signed zero, exponents
    for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1e-7, 1e21,
        123456789.125, Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2}) {
      var values = Map.<String, Object>of("x", d);
      assertThat(CanonicalJson.write(values)).as("%s", d).isEqualTo(treeMapWrite(values));
    }
  }

  @Property(tries = 500)
  void writesWhatTheSortedMapSerialisationWrote(@ForAll("records") Map<String, Object> values) {
    assertThat(CanonicalJson.write(values)).isEqualTo(treeMapWrite(values));
  }

  @Property(tries = 500)
  void writingTheColumnsOfARecordIsWritingTheRecordCutToThem(@ForAll("records") Map<String, Object> values) {
    // the mapped columns: some the record holds, one it lacks; the record holds one column more
    var columns = new java.util.ArrayList<>(values.keySet());
    if (!columns.isEmpty()) {
      columns.remove(0);
    }
    columns.add("zz_not_in_the_record");
    var cut = new java.util.LinkedHashMap<String, Object>();
    columns.forEach(c -> cut.put(c, values.get(c)));
    assertThat(CanonicalJson.writeSorted(CanonicalJson.sortedKeys(columns), values)).isEqualTo(treeMapWrite(cut));
  }

  @Property(tries = 3000)
  void escapesAnyTextAsJacksonDoes(@ForAll @net.jqwik.api.constraints.StringLength(max = 40) String text) {
    var values = new java.util.HashMap<String, Object>();
    values.put(text, text);
    values.put("k", text + "\u0000\u001f\u007f\u2028\"\\/\b\f\n\r\t");
    assertThat(CanonicalJson.write(values)).isEqualTo(treeMapWrite(values));
  }

  @Property(tries = 2000)
  void writesAnInstantAsInstantToStringDoes(@ForAll("instants") Instant t) {
    assertThat(CanonicalJson.instantText(t)).isEqualTo(t.toString());
  }

  @Test
  void writesInstantsAtTheEdgesAsInstantToStringDoes() {
    for (var t : List.of(Instant.EPOCH, Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-01-01T10:20:00.100Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
        Instant.parse("1969-12-31T23:59:59.5Z"), Instant.ofEpochSecond(1_700_000_000L, 120_000),
        Instant.ofEpochSecond(1_700_000_000L, 1), Instant.MAX, Instant.MIN)) {
      assertThat(CanonicalJson.instantText(t)).isEqualTo(t.toString());
    }
  }

  @Provide
  Arbitrary<Instant> instants() {
    var secs = Arbitraries.longs().between(-100_000_000_000L, 300_000_000_000L);
    var nanos = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000), Arbitraries.integers().between(0, 999_999_999));
    return net.jqwik.api.Combinators.combine(secs, nanos).as(Instant::ofEpochSecond);
  }

  @Provide
  Arbitrary<Map<String, Object>> records() {
    Arbitrary<Object> value = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
        Arbitraries.bigIntegers().between(java.math.BigInteger.valueOf(-1_000_000), java.math.BigInteger.valueOf(1_000_000))
            .map(b -> (Object) new BigDecimal(b, 2)),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.longs().between(0, 4_000_000_000_000L).map(ms -> (Object) Instant.ofEpochMilli(ms)),
        Arbitraries.longs().between(0, 60_000).map(d -> (Object) LocalDate.ofEpochDay(d)),
        Arbitraries.just(null),
        Arbitraries.strings().ofMaxLength(4).list().ofMaxSize(3).map(l -> (Object) l));
    return Arbitraries.maps(Arbitraries.strings().ofMaxLength(10), value).ofMaxSize(12);
  }

  /** The serialisation CanonicalJson used up to 2026-11: a TreeMap written by Jackson with sorted map entries. */
  private static String treeMapWrite(Map<String, ?> values) {
    var mapper = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
        .build();
    var plain = new TreeMap<String, Object>();
    values.forEach((k, v) -> plain.put(k, v instanceof BigDecimal d ? d.toPlainString()
        : v instanceof Instant || v instanceof LocalDate ? v.toString() : v));
    try {
      return mapper.writeValueAsString(plain);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
