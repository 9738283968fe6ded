# Turns a file into a C array: cmake -DIN=file -DOUT=out.c -DNAME=symbol -P embed.cmake
# Defines `const unsigned char NAME[]` (NUL-terminated) and
# `const size_t NAME_len` (without the NUL). Used for docs/openapi.json.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT}
  "/* Generated from ${IN} by cmake/embed.cmake: do not edit. */\n"
  "#include <stddef.h>\n"
  "extern const unsigned char ${NAME}[];\n"
  "extern const size_t ${NAME}_len;\n"
  "const unsigned char ${NAME}[] = {${bytes}0};\n"
  "const size_t ${NAME}_len = ${len};\n")
