from cakupan.registry.selectors import person_list


def test_world_builds_and_branch_sees_its_own(world):
    seen = set(person_list(user=world.branch_malang).values_list("full_name", flat=True))
    assert seen == {"Ners Contoh", "Pengemudi Contoh"}
    assert set(person_list(user=world.sponsor_user).values_list("full_name", flat=True)) == {
        "Pengemudi Contoh"
    }
    assert set(person_list(user=world.hr_factory).values_list("full_name", flat=True)) == {"Operator Contoh"}
    assert set(person_list(user=world.agency_health_malang).values_list("full_name", flat=True)) == {
        "Ners Contoh"
    }
