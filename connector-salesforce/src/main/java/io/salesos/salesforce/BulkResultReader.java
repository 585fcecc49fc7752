package io.salesos.salesforce;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Bulk API query result file read as a stream of CSV rows (RFC 4180 as Bulk API writes it:
 * every value quoted, "" escapes a quote), so a result file of any size is never held whole. It
 * remembers which file and row it stands at, so the next pull of the same load reads on from there
 * instead of downloading the file again.
 */
final class BulkResultReader implements AutoCloseable {

  private final String job;
  private final String batch;
  private final String result;
  private final Reader in;
  private final char[] buffer = new char[64 * 1024];
  private int pos;
  private int len;
  private List<String> header = List.of();
  private int row;

  private BulkResultReader(String job, String batch, String result, Reader in) {
    this.job = job;
    this.batch = batch;
    this.result = result;
    this.in = in;
  }

  /** Opens a result stream and reads its header row. */
  static BulkResultReader open(String job, String batch, String result, InputStream stream) throws IOException {
    var reader = new BulkResultReader(job, batch, result, new InputStreamReader(stream, StandardCharsets.UTF_8));
    reader.header = reader.readRow().orElse(List.of());
    return reader;
  }

  /** Whether this reader stands at data row {@code row} of the named result file. */
  boolean standsAt(String job, String batch, String result, int row) {
    return this.job.equals(job) && this.batch.equals(batch) && this.result.equals(result) && this.row == row;
  }

  List<String> header() {
    return header;
  }

  /** The index of the next data row (0 is the first row after the header). */
  int row() {
    return row;
  }

  /** The next data row, or empty at the end of the file. */
  Optional<List<String>> next() throws IOException {
    var cells = readRow();
    if (cells.isPresent()) {
      if (cells.get().size() < header.size()) {
        throw new IOException("the Bulk result " + result + " is cut short at row " + (row + 1) + ": "
            + cells.get().size() + " of " + header.size() + " columns");
      }
      row++;
    }
    return cells;
  }

  /** Whether the file has no more rows. */
  boolean atEnd() throws IOException {
    return peek() < 0;
  }

  /** Skips {@code rows} data rows; false when the file ends first. */
  boolean skip(int rows) throws IOException {
    for (int i = 0; i < rows; i++) {
      if (next().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private int read() throws IOException {
    if (pos == len) {
      len = in.read(buffer, 0, buffer.length);
      pos = 0;
      if (len <= 0) {
        len = 0;
        return -1;
      }
    }
    return buffer[pos++];
  }

  private int peek() throws IOException {
    int c = read();
    if (c >= 0) {
      pos--;
    }
    return c;
  }

  private Optional<List<String>> readRow() throws IOException {
    int c = read();
    if (c < 0) {
      return Optional.empty();
    }
    var cells = new ArrayList<String>();
    var cell = new StringBuilder();
    boolean quoted = false;
    for (; c >= 0; c = read()) {
      if (quoted) {
        if (c == '"') {
          if (peek() == '"') {
            read();
            cell.append('"');
          } else {
            quoted = false;
          }
        } else {
          cell.append((char) c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\n') {
        cells.add(cell.toString());
        return Optional.of(cells);
      } else if (c != '\r') {
        cell.append((char) c);
      }
    }
    if (quoted) {
      throw new IOException("a Bulk result file ends inside a quoted value: the download was cut short");
    }
    cells.add(cell.toString());
    return Optional.of(cells);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException ignored) {
      // the stream is abandoned either way
    }
  }
}
