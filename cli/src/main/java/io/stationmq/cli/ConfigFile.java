package io.stationmq.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A command's options read from the file named by its {@code --config} option: a properties
 * file ({@code key=value} lines, {@code #} comments), each key an option's long name without
 * its dashes ({@code port=5560}, {@code metrics-port=9464}, {@code secure=true}; a repeatable
 * option's values separated by commas, {@code admin=ops,backup}). Options given on the command
 * line override the file. A key that names no option of the command, or a file that cannot be
 * read, is a bad argument (exit 2) naming the file. Used by picocli after parsing, for the
 * options the command line left out; not thread-safe (one parse at a time).
 */
final class ConfigFile implements IDefaultValueProvider {
  private Path loadedFrom;
  private Properties loaded;

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.longestName().equals("--config")) {
      return null;
    }
    OptionSpec config = arg.command().findOption("--config");
    Object file = config == null ? null : config.getValue();
    if (file == null) {
      return null;
    }
    Properties p = load(arg.command(), Path.of(file.toString()));
    String value = p.getProperty(option.longestName().replaceFirst("^-+", ""));
    return value == null ? null : value.strip();
  }

  private Properties load(CommandSpec spec, Path file) {
    if (file.equals(loadedFrom)) {
      return loaded;
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--config: cannot read " + file + ": " + e);
    }
    Set<String> known = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      String name = o.longestName().replaceFirst("^-+", "");
      if (o.longestName().startsWith("--") && !name.equals("config") && !o.usageHelp() && !o.versionHelp()) {
        known.add(name);
      }
    }
    for (String key : p.stringPropertyNames()) {
      if (!known.contains(key)) {
        throw new ParameterException(spec.commandLine(), "--config " + file + ": unknown key '" + key
            + "' (keys: " + String.join(", ", known) + ")");
      }
    }
    loadedFrom = file;
    loaded = p;
    return p;
  }
}
