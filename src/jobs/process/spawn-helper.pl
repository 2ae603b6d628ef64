# bosun's spawn helper: forks job shells on the agent's behalf (spawn-helper.ts drives it).
#
# Why a separate process: fork() copies the page tables of the process that calls it, and libuv
# forks (it does not vfork) from the agent's main thread, so each run cost the agent ~4 ms of blocked
# event loop with ~100 MiB resident, and the parent's copy-on-write faults after it. This helper
# holds ~5 MiB, so its fork is cheap whatever the agent's size (Erlang's erl_child_setup and Python's
# forkserver exist for the same reason). Why Perl: perl-base is part of every Debian system and needs
# nothing compiled; the agent spawns directly when /usr/bin/perl or pidfd_open is missing.
#
# Protocol, both ways: frames of a 32-bit big-endian length (of what follows), one op byte, a 32-bit
# run id and a body.
#   agent -> helper  S id  cwd \0 script \0 NAME=value \0 ...   start `/bin/sh -c script`
#                    C id                                      stop reading the run's output
#                    F 0  ms (32-bit)                          the fence: SIGKILL every run's group
#                                                              unless another F comes within ms
#   helper -> agent  R 0                                       ready (pidfd_open works)
#                    P id  pid s ns                            the shell runs: its exec succeeded at
#                                                              s.ns on CLOCK_MONOTONIC (0 0: unknown)
#                    E id  "stage errno"                       it could not start; nothing follows
#                    O id  bytes                               output (stdout; the script sends stderr there)
#                    D id                                      the output is closed
#                    X id  code (signed, -1 if signalled) signal
# The child gets what libuv gives a detached child with stdio [ignore, pipe, ignore]: its own
# session, /dev/null on fds 0 and 2, the pipe on fd 1, exactly the given environment and cwd (an
# absolute path: the helper's own cwd is the last run's). Exits are seen through pidfds (Linux >=
# 5.3), so there is no SIGCHLD handler and no race with select.
#
# The fence is why the deadline lives here: a SIGSTOPped or hung agent cannot kill anything, yet
# another node takes its runs over once their lease runs out (lease-timing.ts). When the agent is
# gone (its end of the pipe closed) the runs are killed at once: nobody records what they do.
use strict;
use warnings;
use POSIX ();

my $SYS_pidfd_open = 434;    # the same number on every Linux architecture

sub pidfd { return syscall($SYS_pidfd_open, $_[0] + 0, 0) }

# When an exec succeeded, read here: the agent hears of it only once it gets the CPU back, which on a
# busy machine is after the new shell's own start. clock_gettime(2) through syscall(2), as perl-base
# has no Time::HiRes; CLOCK_MONOTONIC is also what Node's performance.now() counts on.
my $SYS_clock_gettime = { x86_64 => 228, aarch64 => 113 }->{(POSIX::uname())[4]};
sub monotonic {
    my $ts = "\0" x 16;
    return (0, 0) unless defined $SYS_clock_gettime && syscall($SYS_clock_gettime, 1, $ts) == 0;
    return unpack('q q', $ts);
}

my $probe = pidfd($$);
exit 3 if $probe < 0;
POSIX::close($probe);

binmode STDIN;
binmode STDOUT;
my %runs;    # id => { pid, out, pidfd }
open(my $null, '+<', '/dev/null') or exit 4;

# A monotonic clock from perl-base alone (Time::HiRes is not in it): times(2) counts ticks since boot.
my $TICKS = POSIX::sysconf(POSIX::_SC_CLK_TCK());
sub now { my ($elapsed) = POSIX::times(); return $elapsed / $TICKS }
my $deadline;    # undef: no fence armed

sub kill_all {
    for my $r (values %runs) {
        kill('KILL', -$r->{pid}) if defined $r->{pidfd};
    }
}

# Frames are sent once per pass of the loop: a run's exit and the end of its output usually come
# together, and one write wakes the agent once.
my $outgoing = '';

sub put {
    my ($op, $id, $body) = @_;
    $outgoing .= pack('N a N', 5 + length($body), $op, $id) . $body;
}

sub flush {
    while (length $outgoing) {
        my $n = syswrite(STDOUT, $outgoing);
        if (!defined $n) {
            next if $!{EINTR};
            kill_all();    # the agent is gone
            exit 0;
        }
        substr($outgoing, 0, $n) = '';
    }
}

sub start {
    my ($id, $body) = @_;
    my ($cwd, $script, @env) = split /\0/, $body, -1;
    # The helper's own cwd and environment are the next child's: set here, they cost the child
    # nothing, where every page a child of Perl writes before its exec is a copy-on-write fault.
    unless (chdir $cwd) {
        put('E', $id, 'chdir ' . ($! + 0));
        return;
    }
    %ENV = map { split /=/, $_, 2 } @env;
    # Perl opens every descriptor above 2 close-on-exec, so no run's pipe leaks into another's shell.
    my ($out_r, $out_w, $status_r, $status_w);
    unless (pipe($out_r, $out_w) && pipe($status_r, $status_w)) {
        put('E', $id, 'pipe ' . ($! + 0));
        return;
    }
    my $pid = fork;
    if (!defined $pid) {
        put('E', $id, 'fork ' . ($! + 0));
        return;
    }
    if ($pid == 0) {
        POSIX::setsid();
        POSIX::dup2(fileno($null), 0);
        POSIX::dup2(fileno($out_w), 1);
        POSIX::dup2(fileno($null), 2);
        { no warnings 'exec'; exec { '/bin/sh' } '/bin/sh', '-c', $script; }
        syswrite($status_w, 'exec ' . ($! + 0));
        POSIX::_exit(127);
    }
    close $out_w;
    close $status_w;
    # Wait for the exec, as libuv does: the pipe closes with it, or says why it failed. Until then
    # the helper touches no page it shares with the child.
    my $failed = sysread($status_r, my $error, 64);
    my @exec_at = monotonic();
    close $status_r;
    if ($failed) {
        waitpid($pid, 0);
        put('E', $id, $error);
        return;
    }
    my $fd = pidfd($pid);
    if ($fd < 0) {
        my $errno = $! + 0;
        kill 'KILL', $pid;
        waitpid($pid, 0);
        put('E', $id, "pidfd $errno");
        return;
    }
    $runs{$id} = { pid => $pid, out => $out_r, pidfd => $fd };
    put('P', $id, pack('N N N', $pid, @exec_at));
}

sub close_output {
    my ($id, $r) = @_;
    close $r->{out};
    delete $r->{out};
    put('D', $id, '');
}

put('R', 0, '');
my $in = '';
while (1) {
    flush();
    my $rin = '';
    vec($rin, 0, 1) = 1;
    for my $r (values %runs) {
        vec($rin, fileno($r->{out}), 1) = 1 if $r->{out};
        vec($rin, $r->{pidfd}, 1) = 1 if defined $r->{pidfd};
    }
    my $wait = defined $deadline ? $deadline - now() : undef;
    $wait = 0 if defined $wait && $wait < 0;
    my $n = select(my $ready = $rin, undef, undef, $wait);
    if (defined $deadline && now() >= $deadline) {
        kill_all();
        undef $deadline;
    }
    next if $n <= 0;    # EINTR, or the fence's timeout

    for my $id (keys %runs) {
        my $r = $runs{$id};
        if ($r->{out} && vec($ready, fileno($r->{out}), 1)) {
            my $got = sysread($r->{out}, my $data, 65536);
            if ($got) {
                put('O', $id, $data);
            } elsif (defined $got || !$!{EINTR}) {
                close_output($id, $r);
            }
        }
        if (defined $r->{pidfd} && vec($ready, $r->{pidfd}, 1)) {
            if (waitpid($r->{pid}, POSIX::WNOHANG()) == $r->{pid}) {
                my $status = $?;
                POSIX::close($r->{pidfd});
                delete $r->{pidfd};
                my $code = POSIX::WIFEXITED($status) ? POSIX::WEXITSTATUS($status) : -1;
                my $signal = POSIX::WIFSIGNALED($status) ? POSIX::WTERMSIG($status) : 0;
                put('X', $id, pack('l> N', $code, $signal));
            }
        }
        delete $runs{$id} unless $r->{out} || defined $r->{pidfd};
    }

    if (vec($ready, 0, 1)) {
        my $got = sysread(STDIN, $in, 65536, length $in);
        next if !defined $got && $!{EINTR};
        unless ($got) {
            kill_all();
            exit 0;
        }
        while (length($in) >= 4) {
            my $length = unpack('N', $in);
            last if length($in) < 4 + $length;
            my ($op, $id) = unpack('a N', substr($in, 4, 5));
            my $body = substr($in, 9, $length - 5);
            substr($in, 0, 4 + $length) = '';
            if ($op eq 'S') {
                start($id, $body);
            } elsif ($op eq 'C') {
                my $r = $runs{$id};
                close_output($id, $r) if $r && $r->{out};
            } elsif ($op eq 'F') {
                $deadline = now() + unpack('N', $body) / 1000;
            }
        }
    }
}
