/*
 * completion.c - `coreapi completion bash|zsh|fish`: the script that makes
 * the shell complete coreapi's command lines, by asking `coreapi __complete`
 * (complete.c) for the candidates of the word under the cursor. Install:
 *   bash: eval "$(coreapi completion bash)"   (in ~/.bashrc)
 *   zsh:  eval "$(coreapi completion zsh)"    (in ~/.zshrc, after compinit)
 *   fish: coreapi completion fish > ~/.config/fish/completions/coreapi.fish
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char bash_script[] =
    "# coreapi completion for bash: eval \"$(coreapi completion bash)\"\n"
    "_coreapi_complete() {\n"
    "    local IFS=$'\\n'\n"
    "    COMPREPLY=($(\"${COMP_WORDS[0]}\" __complete \"${COMP_WORDS[@]:1:COMP_CWORD}\" "
    "2>/dev/null))\n"
    "    [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace\n"
    "    return 0\n"
    "}\n"
    "complete -o default -F _coreapi_complete coreapi\n";

static const char zsh_script[] =
    "#compdef coreapi\n"
    "# coreapi completion for zsh: eval \"$(coreapi completion zsh)\" (after compinit)\n"
    "_coreapi() {\n"
    "    local -a candidates\n"
    "    candidates=(\"${(@f)$(\"${words[1]}\" __complete \"${(@)words[2,CURRENT]}\" "
    "2>/dev/null)}\")\n"
    "    candidates=(${candidates:#})\n"
    "    if (( ${#candidates} )); then\n"
    "        local -a eq plain\n"
    "        eq=(${(M)candidates:#*=})\n"
    "        plain=(${candidates:#*=})\n"
    "        (( ${#plain} )) && compadd -Q -- \"${plain[@]}\"\n"
    "        (( ${#eq} )) && compadd -Q -S '' -- \"${eq[@]}\"\n"
    "    else\n"
    "        _files\n"
    "    fi\n"
    "}\n"
    "compdef _coreapi coreapi\n";

static const char fish_script[] =
    "# coreapi completion for fish: coreapi completion fish > "
    "~/.config/fish/completions/coreapi.fish\n"
    "function __coreapi_complete\n"
    "    set -l words (commandline -opc)\n"
    "    $words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null\n"
    "end\n"
    "complete -c coreapi -a '(__coreapi_complete)'\n";

static const char completion_help[] =
    "Usage: coreapi completion bash|zsh|fish\n"
    "\n"
    "  Print the shell's completion script: commands, options, the current\n"
    "  document's link paths and fields, bookmarks, credential domains.\n"
    "\n"
    "  bash: eval \"$(coreapi completion bash)\"   (in ~/.bashrc)\n"
    "  zsh:  eval \"$(coreapi completion zsh)\"    (in ~/.zshrc, after compinit)\n"
    "  fish: coreapi completion fish > ~/.config/fish/completions/coreapi.fish\n";

int cmd_completion(cli_options *opts, int argc, char **argv) {
  (void)opts;
  if (argc == 2 && cli_is_help(argv[1]))
    return cli_help(completion_help);
  if (argc != 2)
    return cli_usage("completion", "name a shell: bash, zsh or fish");
  if (strcmp(argv[1], "bash") == 0)
    fputs(bash_script, stdout);
  else if (strcmp(argv[1], "zsh") == 0)
    fputs(zsh_script, stdout);
  else if (strcmp(argv[1], "fish") == 0)
    fputs(fish_script, stdout);
  else
    return cli_usage("completion", "no completion for \"%s\": bash, zsh or fish", argv[1]);
  return CLI_OK;
}
