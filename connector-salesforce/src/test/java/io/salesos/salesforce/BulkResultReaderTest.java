package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkResultReaderTest {

  static final String CSV = "\"Id\",\"Name\",\"Amount\"\n"
      + "\"006A\",\"Acme, \"\"big\"\" deal\",\"10.50\"\n"
      + "\"006B\",\"two\nlines\",\"\"\n"
      + "\"006C\",\"Größe\",\"3\"\n";

  static BulkResultReader open(String csv) throws IOException {
    return BulkResultReader.open("750", "751", "752", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsQuotedCommasEscapedQuotesNewlinesAndUtf8CellByCell() throws IOException {
    try (var r = open(CSV)) {
      assertThat(r.header()).containsExactly("Id", "Name", "Amount");
      assertThat(r.next()).contains(List.of("006A", "Acme, \"big\" deal", "10.50"));
      assertThat(r.next()).contains(List.of("006B", "two\nlines", ""));
      assertThat(r.atEnd()).isFalse();
      assertThat(r.next()).contains(List.of("006C", "Größe", "3"));
      assertThat(r.atEnd()).isTrue();
      assertThat(r.next()).isEmpty();
    }
  }

  @Test
  void remembersWhichFileAndRowItStandsAtSoAPullCanReadOn() throws IOException {
    try (var r = open(CSV)) {
      assertThat(r.skip(2)).isTrue();
      assertThat(r.standsAt("750", "751", "752", 2)).isTrue();
      assertThat(r.standsAt("750", "751", "753", 2)).isFalse();
      assertThat(r.standsAt("750", "751", "752", 1)).isFalse();
      assertThat(r.skip(5)).isFalse();
    }
  }

  @Test
  void aFileCutShortInsideAValueOrARowIsAnError() throws IOException {
    try (var r = open(CSV.substring(0, CSV.indexOf("deal")))) {
      assertThatThrownBy(r::next).isInstanceOf(IOException.class).hasMessageContaining("cut short");
    }
    try (var r = open(CSV.substring(0, CSV.indexOf(",\"10.50\"")))) {
      assertThatThrownBy(r::next).isInstanceOf(IOException.class).hasMessageContaining("cut short");
    }
  }
}
