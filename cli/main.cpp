#include "cli/cli.h"

int main(int argc, char** argv) {
  return sp::cli::main_entry(argc, argv);
}
