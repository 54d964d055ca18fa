# Finds a JDK 21 or newer, for ./warden and ./mvnw alike (POSIX sh, sourced). Candidates in order: WARDEN_JAVA_HOME,
# JAVA_HOME, then the JDKs under /usr/lib/jvm (25 first, then 21 and any newer), then the java on PATH. The first
# one that is 21 or newer wins; an older one is passed over, so `java` 17 on PATH is no obstacle.

# The JDK's feature version from its release file (a JVM launch per probe would add a tenth of a second to every
# start); falls back to asking the JVM when the file is missing.
warden_java_major() {
  _v=''
  [ -f "$1/release" ] && _v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  [ -n "$_v" ] || _v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
  echo "${_v%%.*}"
}

# Prints the home of the first JDK 21+ among the candidates, or fails.
warden_find_jdk() {
  _path_java=''
  if command -v java >/dev/null 2>&1; then
    _path_java=$(command -v java)
    _path_java=$(readlink -f "$_path_java" 2>/dev/null || echo "$_path_java")
    _path_java=${_path_java%/bin/java}
  fi
  _jvm=${WARDEN_JVM_DIR:-/usr/lib/jvm}  # overridable for the launcher's own test
  for _d in "${WARDEN_JAVA_HOME:-}" "${JAVA_HOME:-}" "$_jvm"/temurin-25-jdk* "$_jvm"/*25* "$_jvm"/*2[1-9]* \
      "$_jvm"/*[3-9][0-9]* "$_path_java"; do
    [ -n "$_d" ] && [ -x "$_d/bin/java" ] && [ -x "$_d/bin/javac" ] || continue
    _v=$(warden_java_major "$_d")
    if [ -n "$_v" ] && [ "$_v" -ge 21 ] 2>/dev/null; then echo "$_d"; return 0; fi
  done
  return 1
}

# Sets and exports JAVA_HOME to a JDK 21+, or explains what is missing and fails.
warden_select_jdk() {
  if _home=$(warden_find_jdk); then
    JAVA_HOME=$_home
    export JAVA_HOME
    return 0
  fi
  echo "Warden needs a JDK 21 or newer: none found in WARDEN_JAVA_HOME, JAVA_HOME, /usr/lib/jvm or on PATH" \
    "(java on PATH: $(java -version 2>&1 | head -1 || echo none)). Install one (e.g. Temurin 25) and set JAVA_HOME." >&2
  return 1
}
