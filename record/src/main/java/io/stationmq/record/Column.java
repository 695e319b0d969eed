package io.stationmq.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Arrays;

/**
 * One sample field of a stream as it is gathered for the HDF5 file: integers as int64, numbers
 * as float64 (NaN where a row lacks it), booleans, strings, numeric arrays of one length as a
 * float64 matrix, anything else as its JSON text. A column starts with the kind of its first
 * value and is widened when a later value does not fit (int64 to float64; to JSON text when
 * kinds conflict). Not thread-safe.
 */
final class Column {
  enum Kind { LONG, DOUBLE, BOOL, STRING, ARRAY, JSON }

  private Kind kind;
  private int rows;
  private long[] longs;
  private double[] doubles;
  private boolean[] bools;
  private String[] strings;
  private double[][] arrays;
  private int width;

  Kind kind() {
    return kind;
  }

  /** Sets row {@code row} (rows before it that were never set are missing values). */
  void set(int row, JsonNode v) {
    Kind wanted = kindOf(v);
    if (kind == null) {
      start(wanted, v);
    } else if (wanted != kind) {
      widen(wanted);
    } else if (kind == Kind.ARRAY && v.size() != width) {
      toJson();
    }
    if (row > rows) {
      fillMissing(row);
    }
    ensure(row + 1);
    switch (kind) {
      case LONG -> longs[row] = v.asLong();
      case DOUBLE -> doubles[row] = v.isNumber() ? v.asDouble() : Double.NaN;
      case BOOL -> bools[row] = v.asBoolean();
      case STRING -> strings[row] = v.asText();
      case ARRAY -> {
        double[] a = new double[width];
        for (int i = 0; i < width; i++) {
          a[i] = v.get(i).asDouble();
        }
        arrays[row] = a;
      }
      default -> strings[row] = v.toString();
    }
    rows = row + 1;
  }

  private static Kind kindOf(JsonNode v) {
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return Kind.LONG;
    }
    if (v.isNumber()) {
      return Kind.DOUBLE;
    }
    if (v.isBoolean()) {
      return Kind.BOOL;
    }
    if (v.isTextual()) {
      return Kind.STRING;
    }
    if (v.isArray() && v.size() > 0) {
      for (JsonNode e : v) {
        if (!e.isNumber()) {
          return Kind.JSON;
        }
      }
      return Kind.ARRAY;
    }
    return Kind.JSON;
  }

  private void start(Kind k, JsonNode v) {
    kind = k;
    if (k == Kind.ARRAY) {
      width = v.size();
    }
    allocate(16);
  }

  private void allocate(int n) {
    switch (kind) {
      case LONG -> longs = new long[n];
      case DOUBLE -> {
        doubles = new double[n];
        Arrays.fill(doubles, Double.NaN);
      }
      case BOOL -> bools = new boolean[n];
      case ARRAY -> arrays = new double[n][];
      default -> strings = new String[n];
    }
  }

  private void widen(Kind wanted) {
    if (kind == Kind.LONG && wanted == Kind.DOUBLE) {
      toDouble();
    } else if (kind == Kind.DOUBLE && wanted == Kind.LONG) {
      return; // an integer fits a float64 column
    } else if (kind != Kind.JSON) {
      toJson();
    }
  }

  /** Rows the column lacks become missing: int64 and bool columns widen so they can say so. */
  private void fillMissing(int upTo) {
    if (kind == Kind.LONG) {
      toDouble();
    } else if (kind == Kind.BOOL) {
      toJson();
    }
    ensure(upTo);
    for (int r = rows; r < upTo; r++) {
      switch (kind) {
        case DOUBLE -> doubles[r] = Double.NaN;
        case ARRAY -> arrays[r] = nanRow();
        default -> strings[r] = "";
      }
    }
    rows = upTo;
  }

  private double[] nanRow() {
    double[] a = new double[width];
    Arrays.fill(a, Double.NaN);
    return a;
  }

  private void toDouble() {
    double[] d = new double[capacity()];
    Arrays.fill(d, Double.NaN);
    for (int r = 0; r < rows; r++) {
      d[r] = longs[r];
    }
    longs = null;
    doubles = d;
    kind = Kind.DOUBLE;
  }

  private void toJson() {
    String[] s = new String[capacity()];
    for (int r = 0; r < rows; r++) {
      s[r] = switch (kind) {
        case LONG -> Long.toString(longs[r]);
        case DOUBLE -> Double.isNaN(doubles[r]) ? "" : Double.toString(doubles[r]);
        case BOOL -> Boolean.toString(bools[r]);
        case STRING -> strings[r].isEmpty() ? "" : TextNode.valueOf(strings[r]).toString();
        case ARRAY -> Arrays.toString(arrays[r]).replace(" ", "");
        default -> strings[r];
      };
    }
    longs = null;
    doubles = null;
    bools = null;
    arrays = null;
    strings = s;
    kind = Kind.JSON;
  }

  private int capacity() {
    return switch (kind) {
      case LONG -> longs.length;
      case DOUBLE -> doubles.length;
      case BOOL -> bools.length;
      case ARRAY -> arrays.length;
      default -> strings.length;
    };
  }

  private void ensure(int n) {
    int cap = capacity();
    if (n <= cap) {
      return;
    }
    int next = Math.max(n, cap * 2);
    switch (kind) {
      case LONG -> longs = Arrays.copyOf(longs, next);
      case DOUBLE -> {
        doubles = Arrays.copyOf(doubles, next);
        Arrays.fill(doubles, cap, next, Double.NaN);
      }
      case BOOL -> bools = Arrays.copyOf(bools, next);
      case ARRAY -> arrays = Arrays.copyOf(arrays, next);
      default -> strings = Arrays.copyOf(strings, next);
    }
  }

  /** The column as a Java array of exactly {@code total} rows, for jHDF to write. */
  Object data(int total) {
    if (rows < total) {
      fillMissing(total);
    }
    return switch (kind) {
      case LONG -> Arrays.copyOf(longs, total);
      case DOUBLE -> Arrays.copyOf(doubles, total);
      case BOOL -> Arrays.copyOf(bools, total);
      case ARRAY -> Arrays.copyOf(arrays, total);
      default -> Arrays.copyOf(strings, total);
    };
  }
}
