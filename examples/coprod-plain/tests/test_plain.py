import coprod_plain


def test_the_summary_as_plain_text(run, register_plugin):
    register_plugin(coprod_plain)
    run("participant", "add", "Aisha", "--role", "lived_experience")
    run("session", "new", "Panel", "--date", "2026-03-02")
    run("session", "attend", "S-1", "P-1")

    result = run("report", "summary", "--format", "plain")

    assert result.exit_code == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "SUMMARY"
    assert "Sessions held: 1." in lines
    assert "People who came to a session: *." in lines


def test_the_format_is_listed(run, register_plugin):
    register_plugin(coprod_plain)

    result = run("report", "--list")

    assert result.exit_code == 0
    assert "plain" in result.stdout.split()
    assert "Short lines of plain text, one fact to a line." in result.stdout
